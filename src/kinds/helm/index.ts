import { defineKind, type VersionField } from '../../kind.js';
import { resolveHelmConfig, type HelmConfig } from './config.js';

/** The Helm chart: Chart.yaml `version` (SemVer) and `appVersion`, and the image tag in values.yaml. */
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
      fields.push({
        path: config.valuesFile,
        key: config.imageTagKey,
        type: 'yaml',
        option: 'helm.imageTagKey',
        render: 'imageTag',
      });
    }
    return fields;
  },
});
