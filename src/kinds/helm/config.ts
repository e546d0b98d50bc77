import path from 'node:path';
import { z } from 'zod';
import { parseOptions, relativePath } from '../../core/options.js';
import type { ConfigResult, StepContext } from '../../kind.js';

export const helmSchema = z
  .object({
    /** Chart directory (holds Chart.yaml). */
    chart: relativePath,
    /** Dotted key in values.yaml that holds the image tag; `false` leaves values.yaml alone. */
    imageTagKey: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** What `appVersion` becomes: the image tag (default), the chart version, or untouched. */
    appVersion: z.enum(['imageTag', 'chartVersion', 'pep440']).or(z.literal(false)).optional(),
    /** values file holding the image tag, relative to the chart directory. */
    valuesFile: relativePath.optional(),
    /** Package the chart into release-artifacts/<name>-<version>.tgz (default true). */
    package: z.boolean().optional(),
  })
  .strict();

export interface HelmConfig {
  chartDir: string;
  chartFile: string;
  valuesFile: string;
  imageTagKey: string | false;
  appVersion: 'imageTag' | 'chartVersion' | 'pep440' | false;
  package: boolean;
}

export function resolveHelmConfig(raw: unknown, _ctx: StepContext): ConfigResult<HelmConfig> {
  const parsed = parseOptions(helmSchema, raw, 'helm');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  const o = parsed.value;
  const chartDir = path.posix.normalize(o.chart.replace(/\\/g, '/')).replace(/\/$/, '');
  return {
    config: {
      chartDir,
      chartFile: path.posix.join(chartDir, 'Chart.yaml'),
      valuesFile: path.posix.join(chartDir, o.valuesFile ?? 'values.yaml'),
      imageTagKey: o.imageTagKey ?? 'image.tag',
      appVersion: o.appVersion ?? 'imageTag',
      package: o.package ?? true,
    },
    errors: [],
  };
}
