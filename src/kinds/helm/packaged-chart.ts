import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Artifact, Manifest } from '../../core/manifest.js';
import type { ReleaseContext } from '../../kind.js';
import { loadChartArchive } from './load-chart.js';
import { metadataJson } from './package-chart.js';
import type { ChartMetadata } from './validate-chart.js';
import { stackError } from './errors.js';
import { renderedValue } from '../../version.js';

/**
 * The package prepare recorded, where it is, and the metadata Helm reads back from it. Its bytes are
 * streamed from the file whenever needed (hash, metadata, upload), never held.
 */
export interface PackagedChartFile {
  artifact: Artifact;
  /** Absolute path of the .tgz. */
  file: string;
  size: number;
  /** sha256 of the bytes, bare hex (index.yaml's `digest`). */
  sha256: string;
  metadata: ChartMetadata;
  /** chart.Metadata as JSON in Go field order: the OCI config blob and the index entry. */
  metadataJson: Record<string, unknown>;
}

/**
 * Reads this release's chart package from the manifest, checking it is the file prepare made (same
 * sha256) and that it holds the release's chart version.
 */
export async function readPackagedChart(ctx: ReleaseContext, manifest: Manifest): Promise<PackagedChartFile> {
  const artifact = manifest.artifacts.find((a) => a.kind === 'helm' && a.type === 'chart' && a.path);
  const fail = (reason: string) => stackError('ECHARTNOTPACKAGED', { reason });
  if (!artifact) throw fail('the release manifest records no chart package');
  const file = path.resolve(ctx.root, artifact.path!);
  const hashed = await hashFile(file).catch(() => undefined);
  if (!hashed) throw fail(`\`${artifact.path}\` does not exist`);
  const { sha256, size } = hashed;
  if (artifact.sha256 && sha256 !== artifact.sha256)
    throw fail(`\`${artifact.path}\` changed since prepare (sha256 ${sha256}, recorded ${artifact.sha256})`);
  // Helm reads the metadata back from the archive (`helm push`, `helm repo index`), not the sources.
  let metadata: ChartMetadata;
  try {
    metadata = (await loadChartArchive({ file }, artifact.path!)).metadata;
  } catch (error) {
    throw fail(`\`${artifact.path}\` cannot be read as a chart: ${(error as Error).message}`);
  }
  const expected = renderedValue(ctx.release.versions.chartVersion);
  if (metadata.version !== expected)
    throw fail(
      `\`${artifact.path}\` holds version ${metadata.version ?? '(none)'}, the release is ${expected}`,
    );
  return { artifact, file, size, sha256, metadata, metadataJson: metadataJson(metadata) };
}

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(file), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
    }
  });
  return { sha256: hash.digest('hex'), size };
}
