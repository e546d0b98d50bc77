import * as z from 'zod';
import { throwAll } from '../errors.js';
import { checkEdits, type FileCaches, type VersionEdit } from '../files/index.js';
import type { VersionField } from '../kind.js';
import {
  devRenderings,
  fillTemplate,
  renderRelease,
  renderedValue,
  type DevVersion,
  type ReleaseRenderings,
} from '../version.js';

/**
 * A `set` entry of a version file: one template for the release, or `{ "release", "dev" }` for a value
 * that differs at the release and after it (`"=={pep440}"` then `">={pep440}"`). Version
 * placeholders are filled by the version model.
 */
export const setEntrySchema = z.union([
  z.string().min(1),
  z
    .object({ release: z.string().min(1).optional(), dev: z.string().min(1).optional() })
    .strict()
    // Not on top of a misspelt key: that one is the problem to report.
    .refine((v) => v.release !== undefined || v.dev !== undefined, {
      message: 'give `release`, `dev` or both',
      when: (payload) => payload.issues.length === 0,
    }),
]);
export type SetEntry = z.output<typeof setEntrySchema>;

/** A `set` entry as a field's render: a plain string is the release's value only. */
export const setRender = (entry: SetEntry): { release?: string; dev?: string } =>
  typeof entry === 'string' ? { release: entry } : entry;

type FieldRendering = Extract<VersionField['render'], string>;

/** The values a version field can take: the release's renderings, or the dev version's. */
export interface FieldValues {
  value(render: FieldRendering): string;
  /** Which template of a `set` entry applies. */
  phase: 'release' | 'dev';
  /** Fills a `set` template for this version. */
  fill(template: string, option: string): string;
}

/** The release's renderings; the core has checked in verifyRelease that each field's can be made. */
export function releaseValues(versions: ReleaseRenderings): FieldValues {
  return {
    value: (render) => renderedValue(versions[render]),
    phase: 'release',
    fill: (template, option) => fillTemplate(template, versions, {}, option),
  };
}

export function devValues(dev: DevVersion): FieldValues {
  const renderings = devRenderings(dev);
  return {
    value: (render) => renderedValue(renderings[render]),
    phase: 'dev',
    fill: (template, option) => fillTemplate(template, renderings, {}, option),
  };
}

function valueOf(field: VersionField, values: FieldValues): string | undefined {
  const render = field.render;
  if (typeof render === 'string') return values.value(render);
  // A manifest written before `set` took templates holds `{ literal }`: a release-only value as is.
  const legacy = (render as { literal?: string }).literal;
  if (legacy !== undefined) return values.phase === 'release' ? legacy : undefined;
  const template = render[values.phase];
  return template === undefined ? undefined : values.fill(template, field.option);
}

function renderEdits(fields: readonly VersionField[], values: FieldValues) {
  const edits: VersionEdit[] = [];
  const errors: Error[] = [];
  for (const field of fields) {
    let value: string | undefined;
    try {
      value = valueOf(field, values);
    } catch (error) {
      errors.push(error as Error);
    }
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
  return { edits, errors };
}

/** The edits that put `values` into the fields; throws every template error at once. */
export function toEdits(fields: readonly VersionField[], values: FieldValues): VersionEdit[] {
  const { edits, errors } = renderEdits(fields, values);
  throwAll(errors);
  return edits;
}

/**
 * verifyConditions: every version file exists, parses and holds its keys, and every `set` template
 * fills, for the release and for the dev version. The values are a sample version's: nothing is written.
 */
export async function checkVersionFields(
  root: string,
  fields: readonly VersionField[],
  caches?: FileCaches,
): Promise<Error[]> {
  const sample = renderRelease('1.2.3');
  const errors: Error[] = [];
  const edits: VersionEdit[] = [];
  for (const values of [releaseValues(sample), devValues(renderedValue(sample.nextDev)!)]) {
    const rendered = renderEdits(fields, values);
    edits.push(...rendered.edits);
    errors.push(...rendered.errors);
  }
  errors.push(...(await checkEdits(root, edits, { caches })).errors);
  // A template used at the release and after it fails the same way twice.
  return [...new Map(errors.map((e) => [e.message, e])).values()];
}
