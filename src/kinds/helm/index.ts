import path from 'node:path';
import { releaseEpoch } from '../../core/epoch.js';
import type { HttpFetch } from '../../core/http.js';
import {
  defineKind,
  noPublish,
  type ArtifactKind,
  type RenderingNeed,
  type VersionField,
} from '../../kind.js';
import { checkHelm } from './check.js';
import { resolveHelmConfig, type HelmConfig } from './config.js';
import { HELM_ERRORS } from './errors.js';
import { ociClient, pushChart } from './oci-push.js';
import { packageChart } from './package-chart.js';
import { planChart } from './plan.js';
import { updateChartIndex } from './publish-index.js';
import { renderedValue, templateRenderings } from '../../version.js';

export interface HelmKindDeps {
  /** The registry API's HTTP client (tests may inject one; default: the step's `ctx.http`). */
  fetch?: HttpFetch;
}

/**
 * The Helm chart: Chart.yaml `version` (SemVer) and `appVersion`, the image tag in values.yaml, and
 * the chart package, built natively to `helm package`'s rules but byte-for-byte reproducible; then,
 * if asked, pushed to an OCI registry (publish) and added to a chart repository index (success).
 */
export function createHelmKind(deps: HelmKindDeps = {}): ArtifactKind<HelmConfig> {
  return defineKind<HelmConfig>({
    name: 'helm',
    entry: 'helm',
    artifacts: [
      { type: 'chart', githubAsset: '*.tgz' },
      { type: 'chart-oci', published: true },
    ],
    errors: HELM_ERRORS,
    preset: {
      versionFiles(options) {
        if (typeof options.chart !== 'string') return [];
        const chart = options.chart.replace(/\/$/, '');
        const values = typeof options.valuesFile === 'string' ? options.valuesFile : 'values.yaml';
        return [`${chart}/Chart.yaml`, `${chart}/${values}`];
      },
      defaultVersionFiles: ['**/Chart.yaml', '**/values.yaml'],
    },
    resolveConfig: resolveHelmConfig,
    renderings(config) {
      const needs: RenderingNeed[] = [{ rendering: 'chartVersion', option: 'helm.chart' }];
      // The OCI tag is the chart version as an image tag.
      if (config.oci) needs.push({ rendering: 'imageTag', option: 'helm.oci' });
      for (const rendering of config.index ? templateRenderings(config.index.url) : [])
        needs.push({ rendering, option: 'helm.index.url' });
      return needs;
    },

    versionFields(config) {
      const fields: VersionField[] = [
        {
          path: config.chartFile,
          key: 'version',
          type: 'yaml',
          option: 'helm.chart',
          render: 'chartVersion',
        },
      ];
      if (config.appVersion) {
        const render = config.appVersion === 'imageTag' ? 'appVersion' : config.appVersion;
        // A chart without appVersion gets one, as `helm package --app-version` gives it.
        fields.push({
          path: config.chartFile,
          key: 'appVersion',
          type: 'yaml',
          option: 'helm.appVersion',
          render,
          missing: 'add',
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
          // Not every chart pins its image in values (Helm's own test chart does not): the default
          // key is written where it exists; a key the user named must exist.
          ...(config.imageTagKeyGiven ? {} : { missing: 'skip' as const }),
        });
      }
      return fields;
    },

    check: (config, ctx) => checkHelm(config, ctx, deps.fetch),

    plan: planChart,

    async prepare(config, ctx) {
      if (!config.package) return [];
      const chart = await packageChart({
        chartDir: path.resolve(ctx.root, config.chartDir),
        label: config.chartDir,
        outDir: ctx.artifactsDir,
        mtime: await releaseEpoch(ctx),
        version: renderedValue(ctx.release.versions.chartVersion),
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

    async publish(config, ctx, manifest) {
      if (!config.oci) return noPublish;
      return pushChart(config.oci, ctx, manifest, deps.fetch);
    },

    async registryOf(config, ctx, artifact) {
      if (artifact.type !== 'chart-oci' || !config.oci) return undefined;
      const repository = artifact.name.slice(config.oci.host.length + 1);
      return {
        client: ociClient(config.oci, deps.fetch ?? ctx.http.request),
        repository,
        name: artifact.name,
      };
    },

    async success(config, ctx, manifest) {
      return config.index ? [await updateChartIndex(config.index, ctx, manifest)] : [];
    },
  });
}

export const helmKind = createHelmKind();
