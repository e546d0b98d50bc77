import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { releaseEpoch } from '../../core/epoch.js';
import { checkPath } from '../../files/index.js';
import { defineKind, type ReleaseContext, type VersionField } from '../../kind.js';
import { resolveHelmConfig, type HelmConfig } from './config.js';
import { checkChart } from './load-chart.js';
import { packageChart } from './package-chart.js';

function chartFileName(ctx: ReleaseContext, name: string): string {
  return `${name}-${ctx.release.versions.chartVersion}.tgz`;
}

/**
 * The Helm chart: Chart.yaml `version` (SemVer) and `appVersion`, the image tag in values.yaml, and
 * the chart package, built natively to `helm package`'s rules but byte-for-byte reproducible.
 */
export const helmKind = defineKind<HelmConfig>({
  name: 'helm',
  entry: 'helm',
  after: ['docker'],
  resolveConfig: resolveHelmConfig,

  versionFields(config) {
    const fields: VersionField[] = [
      { path: config.chartFile, key: 'version', type: 'yaml', option: 'helm.chart', render: 'chartVersion' },
    ];
    if (config.appVersion) {
      const render = config.appVersion === 'imageTag' ? 'appVersion' : config.appVersion;
      fields.push({
        path: config.chartFile,
        key: 'appVersion',
        type: 'yaml',
        option: 'helm.appVersion',
        render,
      });
    }
    if (config.imageTagKey) {
      const key = config.imageTagKey;
      fields.push({
        path: config.valuesFile,
        key,
        type: 'yaml',
        option: 'helm.imageTagKey',
        render: 'imageTag',
      });
    }
    return fields;
  },

  async check(config, ctx) {
    const where = await checkPath(ctx.root, config.chartDir, 'helm.chart', { write: false });
    if (!where.ok) return [where.error];
    // The release overwrites the chart's own `version`, so a value it holds today that Helm would
    // refuse (the seed's procedure left `0.2.0.dev0` there) is no reason to stop; sub-charts still count.
    const rootChartYaml = path.join(where.abs, 'Chart.yaml');
    return (await checkChart(where.abs)).filter(
      (e) =>
        !(
          (e as { code?: string }).code === 'ECHARTVERSION' &&
          String((e as { path?: string }).path ?? e.message).includes(rootChartYaml)
        ),
    );
  },

  async plan(config, ctx) {
    if (!config.package) return [];
    const name = await chartName(config, ctx);
    const file = path.posix.join(path.basename(ctx.artifactsDir), chartFileName(ctx, name));
    return [
      {
        action: 'build',
        text: `chart ${file} (${config.chartDir}, appVersion ${ctx.release.versions.appVersion})`,
      },
    ];
  },

  async prepare(config, ctx) {
    if (!config.package) return [];
    const chart = await packageChart({
      chartDir: path.resolve(ctx.root, config.chartDir),
      outDir: ctx.artifactsDir,
      mtime: await releaseEpoch(ctx),
      version: ctx.release.versions.chartVersion,
    });
    ctx.logger.log('Packaged chart %s as %s', chart.name, path.basename(chart.path));
    return [
      {
        kind: 'helm',
        type: 'chart',
        name: path.basename(chart.path),
        path: path.relative(ctx.root, chart.path),
        sha256: chart.sha256,
        size: chart.size,
      },
    ];
  },
});

/** The chart's name as Chart.yaml states it (the package is named after it, not after the folder). */
async function chartName(config: HelmConfig, ctx: ReleaseContext): Promise<string> {
  const text = await readFile(path.resolve(ctx.root, config.chartFile), 'utf8');
  return String((parse(text.replace(/^\uFEFF/, '')) as { name?: unknown } | null)?.name ?? '');
}
