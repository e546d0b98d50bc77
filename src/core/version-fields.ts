import type { VersionEdit } from '../files/index.js';
import type { VersionField } from '../kind.js';
import type { DevVersion, Renderings } from '../version.js';

/** The values a version field can take: the release's renderings, or the dev version's. */
export interface FieldValues {
  pep440: string;
  chartVersion: string;
  imageTag: string;
  appVersion: string;
  /** Literal fields (`ignition-version`) are set at the release and left alone at the dev bump. */
  literals: boolean;
}

export function releaseValues(versions: Renderings): FieldValues {
  return {
    get pep440() {
      return versions.pep440;
    },
    chartVersion: versions.chartVersion,
    imageTag: versions.imageTag,
    appVersion: versions.appVersion,
    literals: true,
  };
}

export function devValues(dev: DevVersion): FieldValues {
  return {
    pep440: dev.pep440,
    chartVersion: dev.chartVersion,
    imageTag: dev.imageTag,
    appVersion: dev.imageTag,
    literals: false,
  };
}

export function toEdits(fields: readonly VersionField[], values: FieldValues): VersionEdit[] {
  const edits: VersionEdit[] = [];
  for (const field of fields) {
    const value =
      typeof field.render === 'object'
        ? values.literals
          ? field.render.literal
          : undefined
        : values[field.render];
    if (value === undefined) continue;
    edits.push({
      path: field.path,
      value,
      option: field.option,
      ...(field.key ? { key: field.key } : {}),
      ...(field.type ? { type: field.type } : {}),
      ...(field.missing ? { missing: field.missing } : {}),
    });
  }
  return edits;
}
