import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { VersionField } from '../kind.js';
import { renderRelease, renderedValue } from '../version.js';
import { parseOptions } from './options.js';
import {
  checkVersionFields,
  devValues,
  releaseValues,
  setEntrySchema,
  setRender,
  toEdits,
} from './version-fields.js';

const FILE = 'osvimdriver/pkg_info.json';
const OPTION = 'python.versionFiles[0]';
const set = (key: string, entry: z.input<typeof setEntrySchema>): VersionField => ({
  path: FILE,
  key,
  option: `${OPTION}.set.${key}`,
  render: setRender(entry),
});
const fields: VersionField[] = [
  { path: FILE, option: OPTION, render: 'pep440' },
  set('ignition-version', { release: '=={pep440}', dev: '>={pep440}' }),
  set('pinned', '==0.1.0'),
  set('channel', { dev: 'dev of {major}.{minor}' }),
];
const values = (edits: ReturnType<typeof toEdits>) =>
  Object.fromEntries(edits.map((e) => [e.key ?? '(default)', e.value]));

describe('set entries: values that differ at the release and after it', () => {
  const released = renderRelease('0.1.0');

  it('renders the release template at the release and the dev template after it', () => {
    expect(values(toEdits(fields, releaseValues(released)))).toEqual({
      '(default)': '0.1.0',
      'ignition-version': '==0.1.0',
      pinned: '==0.1.0',
    });
    // The seed's pkg_info.json after 0.1.0: ">=0.2.0.dev0"; a plain string is left alone.
    expect(values(toEdits(fields, devValues(renderedValue(released.nextDev)!)))).toEqual({
      '(default)': '0.2.0.dev0',
      'ignition-version': '>=0.2.0.dev0',
      channel: 'dev of 0.2',
    });
  });

  it('fills every version placeholder through the version model, for prereleases too', () => {
    const beta = renderRelease('2.0.0-beta.3', { branch: 'prerelease', devAfterPrerelease: true });
    const field = set('all', {
      release: '{version} {pep440} {imageTag} {chartVersion} {channel}',
      dev: '{version} {pep440} {imageTag} {chartVersion}',
    });
    expect(toEdits([field], releaseValues(beta))[0]?.value).toBe(
      '2.0.0-beta.3 2.0.0b3 2.0.0-beta.3 2.0.0-beta.3 beta',
    );
    expect(toEdits([field], devValues(renderedValue(beta.nextDev)!))[0]?.value).toBe(
      '2.0.0-beta.3.dev.0 2.0.0b4.dev0 2.0.0b4.dev0 2.0.0-beta.3.dev.0',
    );
  });

  it('keeps a release-only `{ literal }` of a manifest written by an earlier version', () => {
    const legacy = {
      path: FILE,
      key: 'x',
      option: OPTION,
      render: { literal: '=={x}' },
    } as unknown as VersionField;
    expect(toEdits([legacy], releaseValues(released))[0]?.value).toBe('=={x}');
    expect(toEdits([legacy], devValues(renderedValue(released.nextDev)!))).toEqual([]);
  });

  it('accepts a string or { release, dev }, not an empty object or other keys', () => {
    const schema = z.object({ set: z.record(z.string(), setEntrySchema) }).strict();
    expect(parseOptions(schema, { set: { a: '==1', b: { dev: '>=1' } } }, 'python').errors).toEqual([]);
    const bad = parseOptions(schema, { set: { a: {}, b: { relase: 'x' }, c: '' } }, 'python');
    expect(bad.errors.map((e) => (e as Error & { code: string }).code).sort()).toEqual([
      'EINVALIDOPTION',
      'EINVALIDOPTION',
      'EUNKNOWNOPTION',
    ]);
  });
});

describe('checkVersionFields (verifyConditions)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'srs-fields-'));
    await writeFile(path.join(root, 'pkg.json'), '{"version": "0.1.0", "ignition-version": "==0.1.0"}\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reports an unknown placeholder of either template once, naming the option, and a missing key', async () => {
    const at = (f: VersionField): VersionField => ({ ...f, path: 'pkg.json' });
    const errors = await checkVersionFields(root, [
      at(fields[0]!),
      at(set('ignition-version', { release: '=={pep_440}', dev: '=={pep_440}' })),
      at(set('missing-key', { dev: '>={pep440}' })),
    ]);
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual([
      'EINVALIDOPTION',
      'EVERSIONKEYMISSING',
    ]);
    expect(errors[0]!.message).toContain('`python.versionFiles[0].set.ignition-version`');
    expect(errors[0]!.message).toContain('{pep_440}');
    expect(errors[1]!.message).toContain('`missing-key`');
  });

  it('passes valid fields and writes nothing', async () => {
    const before = '{"version": "0.1.0", "ignition-version": "==0.1.0"}\n';
    const ok = fields.slice(0, 2).map((f) => ({ ...f, path: 'pkg.json' }));
    expect(await checkVersionFields(root, ok)).toEqual([]);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(root, 'pkg.json'), 'utf8')).toBe(before);
  });
});
