import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tryGit } from '../../core/git.js';
import type { HttpFetch } from '../../core/http.js';
import { checkPath } from '../../files/index.js';
import type { StepContext } from '../../kind.js';
import type { HelmConfig } from './config.js';
import { loadYaml } from './go-yaml.js';
import { checkChart } from './load-chart.js';
import { checkChartRegistry } from './oci-push.js';
import { stackError } from './errors.js';

/** verifyConditions for the chart, all read-only (it runs in dry-run too). */
export async function checkHelm(
  config: HelmConfig,
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): Promise<Error[]> {
  const [chart, publishing] = await Promise.all([
    checkChartDir(config, ctx),
    checkPublishing(config, ctx, fetchImpl),
  ]);
  return [...chart, ...publishing];
}

async function checkChartDir(config: HelmConfig, ctx: StepContext): Promise<Error[]> {
  const where = await checkPath(ctx.root, config.chartDir, 'helm.chart', { write: false });
  if (!where.ok) return [where.error];
  // The release overwrites the chart's own `version`, so a value it holds today that Helm would
  // refuse (the seed's procedure left `0.2.0.dev0` there) is no reason to stop; sub-charts still count.
  const rootChartYaml = `\`${config.chartFile}\``;
  return (await checkChart(where.abs, config.chartDir)).filter(
    (e) => !((e as { code?: string }).code === 'ECHARTVERSION' && e.message.includes(rootChartYaml)),
  );
}

/**
 * The publishing targets, read-only: the registry accepts the credentials for the chart's
 * repository, and the index branch is a valid branch name.
 */
async function checkPublishing(
  config: HelmConfig,
  ctx: StepContext,
  fetchImpl: HttpFetch | undefined,
): Promise<Error[]> {
  const errors: Error[] = [];
  if (config.oci) {
    const name = await chartName(config, ctx).catch(() => undefined);
    errors.push(...(await checkChartRegistry(config.oci, name || undefined, ctx, fetchImpl)));
  }
  if (config.index) {
    const branch = config.index.branch;
    const valid = await tryGit(ctx, ['check-ref-format', `refs/heads/${branch}`]);
    if (!valid.ok)
      errors.push(
        stackError('EINVALIDOPTION', {
          option: 'helm.index.branch',
          problem: `\`${branch}\` is not a valid branch name`,
        }),
      );
  }
  return errors;
}

/** The chart's name as Chart.yaml states it (the package is named after it, not after the folder). */
export async function chartName(config: HelmConfig, ctx: StepContext): Promise<string> {
  const text = await readFile(path.resolve(ctx.root, config.chartFile), 'utf8');
  const { parse } = await loadYaml();
  return String((parse(text.replace(/^\uFEFF/, '')) as { name?: unknown } | null)?.name ?? '');
}
