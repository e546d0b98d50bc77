import path from 'node:path';
import type { PlanLine, ReleaseContext } from '../../kind.js';
import { chartName } from './check.js';
import type { HelmConfig } from './config.js';
import { chartRepository, chartTag } from './oci-push.js';
import { chartDownloadUrl } from './publish-index.js';
import { renderedValue } from '../../version.js';

const chartFileName = (ctx: ReleaseContext, name: string): string =>
  `${name}-${renderedValue(ctx.release.versions.chartVersion)}.tgz`;

/** The chart part of the release plan: the package, the OCI reference, the index entry. */
export async function planChart(config: HelmConfig, ctx: ReleaseContext): Promise<PlanLine[]> {
  if (!config.package) return [];
  const name = await chartName(config, ctx);
  const file = path.posix.join(path.basename(ctx.artifactsDir), chartFileName(ctx, name));
  const v = ctx.release.versions;
  const appVersion =
    config.appVersion === false
      ? 'appVersion as it is'
      : `appVersion ${renderedValue(config.appVersion === 'imageTag' ? v.appVersion : v[config.appVersion])}`;
  const lines: PlanLine[] = [{ action: 'build', text: `chart ${file} (${config.chartDir}, ${appVersion})` }];
  if (config.oci) {
    const ref = `${chartRepository(config.oci, name).location}:${chartTag(ctx)}`;
    lines.push({ action: 'publish', text: `push chart ${ref}` });
  }
  if (config.index) {
    const url = chartDownloadUrl(config.index, ctx, { name, file: chartFileName(ctx, name) });
    lines.push({
      action: 'publish',
      text: `after the release: add ${name} ${renderedValue(ctx.release.versions.chartVersion)} (${url}) to ${config.index.path} on branch ${config.index.branch}`,
    });
  }
  return lines;
}
