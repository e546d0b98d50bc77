import type { Artifact, Manifest } from '../../core/manifest.js';
import { resolveInRepo } from '../../files/safe-path.js';
import type { ReleaseContext } from '../../kind.js';
import { imageRef } from '../../oci/reference.js';
import type { DockerConfig } from './config.js';
import { buildArgs, imageLabels } from './labels.js';
import { withBuilder } from './login.js';
import { stageWheels } from './stage-wheels.js';
import { imageRefs, imageTags } from './tags.js';

/**
 * Stages this run's wheels and builds the image once as `<image>:<version tag>`. A plain image gets
 * its floating tags in that build; a multi-platform one is tagged afterwards (in the registry, at push,
 * for docker).
 */
export async function prepareImage(
  config: DockerConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
): Promise<Artifact[]> {
  const tags = imageTags(config, ctx);
  await stageWheels(config, ctx, manifest);
  const versionRef = imageRef(config.image, tags.version);
  const request = {
    ref: versionRef,
    contextDir: await resolveInRepo(ctx.root, config.context, 'docker.context'),
    dockerfile: await resolveInRepo(ctx.root, config.dockerfile, 'docker.dockerfile'),
    buildArgs: buildArgs(config, ctx),
    labels: await imageLabels(config, ctx),
    secrets: config.secrets,
    platforms: config.platforms,
    alsoTagged: tags.floating.map((tag) => imageRef(config.image, tag)),
  };
  const multiPlatform = config.platforms.length > 0;
  await withBuilder(config, ctx, async (builder) => {
    ctx.logger.log('Building %s with %s', versionRef, builder.name);
    await builder.build(request);
    if (!multiPlatform) return;
    for (const tag of tags.floating) await builder.tag(versionRef, imageRef(config.image, tag), true);
  });
  return [{ kind: 'docker', type: 'image', name: config.image.name, refs: imageRefs(config.image, tags) }];
}
