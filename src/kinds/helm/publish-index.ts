import { releaseEpoch } from '../../core/epoch.js';
import type { Manifest } from '../../core/manifest.js';
import type { Outcome, ReleaseContext } from '../../kind.js';
import { fillTemplate } from '../../version.js';
import type { IndexEntry } from './chart-index.js';
import type { IndexTarget } from './config.js';
import { updateBranchFile } from './index-branch.js';
import { rfc3339 } from './oci-manifest.js';
import { readPackagedChart } from './packaged-chart.js';

/** Where the chart file will be downloaded from: `helm.index.url` filled for this release. */
export function chartDownloadUrl(
  target: IndexTarget,
  ctx: ReleaseContext,
  chart: { name: string; file: string },
): string {
  const extra = { gitTag: ctx.release.gitTag, file: chart.file, name: chart.name };
  return fillTemplate(target.url, ctx.release.versions, extra, 'helm.index.url');
}

/**
 * success: adds this release's chart to the chart repository index on `helm.index.branch`. It runs
 * after publish because the entry's URL names the GitHub release asset, which
 * @semantic-release/github uploads in its own publish step, after this plugin's.
 */
export async function updateChartIndex(
  target: IndexTarget,
  ctx: ReleaseContext,
  manifest: Manifest,
): Promise<Outcome> {
  const chart = await readPackagedChart(ctx, manifest);
  const name = chart.metadata.name!;
  const version = chart.metadata.version!;
  const entry: IndexEntry = {
    name,
    version,
    digest: chart.sha256,
    metadata: chart.metadataJson,
    url: chartDownloadUrl(target, ctx, { name, file: chart.artifact.name }),
    created: rfc3339(await releaseEpoch(ctx)),
  };
  const where = { branch: target.branch, path: target.path };
  // chart-index.js imports yaml; only this step needs it.
  const { addToIndex } = await import('./chart-index.js');
  const outcome = await updateBranchFile(ctx, {
    ...where,
    message: `chore(release): update chart index for ${name} ${version} [skip ci]`,
    attempts: target.pushAttempts,
    update: (current) => addToIndex(current, entry, new Date(), where),
    subject: { name, version },
  });
  const what = `chart index entry ${name} ${version} in ${target.branch}:${target.path}`;
  if (!outcome.changed) return { status: 'already-there', what, why: 'is already there with this digest' };
  ctx.logger.success(
    'Added %s %s to %s on branch %s (%s)',
    name,
    version,
    target.path,
    target.branch,
    entry.url,
  );
  return { status: 'published', what };
}
