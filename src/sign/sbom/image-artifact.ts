import type { Artifact } from '../../core/manifest.js';
import { stackError } from '../../errors.js';
import type { ReleaseContext } from '../../kind.js';
import { renderedValue } from '../../version.js';
import type { RegistryLocation } from '../registries.js';
import { cdxBytes } from './cyclonedx.js';
import { imageSbom } from './image.js';

/** The SBOM of a pushed image, named `<image>-<tag>-image.cdx.json` (apart from the wheel's). */
export async function imageSbomFor(
  image: Artifact,
  location: RegistryLocation,
  ctx: ReleaseContext,
  tool: { name: string; version: string },
  epoch: number,
): Promise<{ file: string; bytes: Buffer; packages: number }> {
  const ref = image.refs?.[0] ?? image.name;
  const tag = /:([^:/@]+)$/.exec(ref)?.[1] ?? renderedValue(ctx.release.versions.imageTag);
  try {
    const document = await imageSbom(
      location.client,
      location.repository,
      { name: image.name, digest: image.digest!, tag },
      tool,
      epoch,
    );
    const last = location.repository.split('/').at(-1)!;
    return {
      file: `${last}-${tag}-image.cdx.json`,
      bytes: cdxBytes(document),
      packages: document.components.length,
    };
  } catch (error) {
    throw stackError('ESIGNREGISTRY', {
      action: 'read the image layers for its SBOM',
      ref: `${image.name}@${image.digest}`,
      reason: ctx.redactor.redact((error as Error).message),
    });
  }
}
