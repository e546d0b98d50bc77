import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFileType, editText, type FileType } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/files/', import.meta.url));

interface Case {
  name: string;
  type: FileType;
  key: string;
  value: string;
  /** The expected error code; without it, `after.<ext>` holds the expected bytes. */
  error?: string;
  hint?: RegExp;
}

const EXT: Record<FileType, string> = {
  json: 'json',
  yaml: 'yaml',
  toml: 'toml',
  'setup.cfg': 'cfg',
  python: 'py',
};

const CASES: Case[] = [
  { name: 'json-one-line', type: 'json', key: 'version', value: '0.2.0.dev0' },
  { name: 'json-two-space', type: 'json', key: 'version', value: '1.4.0' },
  { name: 'json-tabs-no-newline', type: 'json', key: 'version', value: '2.0.0b3' },
  { name: 'json-nested-crlf', type: 'json', key: 'tool.version', value: '1.5.0.dev0' },
  { name: 'json-missing-key', type: 'json', key: 'version', value: '1.0.0', error: 'EVERSIONKEYMISSING' },
  { name: 'json-broken', type: 'json', key: 'version', value: '1.0.0', error: 'EINVALIDVERSIONFILE' },
  { name: 'yaml-docker-version', type: 'yaml', key: 'docker.version', value: '2.0.0-beta.3' },
  { name: 'yaml-image-tag-quoted', type: 'yaml', key: 'image.tag', value: '1.10' },
  { name: 'yaml-single-quoted', type: 'yaml', key: 'docker.version', value: '1.5.0.dev0' },
  { name: 'yaml-numeric-plain', type: 'yaml', key: 'docker.version', value: '1.10' },
  { name: 'yaml-crlf', type: 'yaml', key: 'docker.version', value: '0.2.0.dev0' },
  { name: 'chart-version', type: 'yaml', key: 'version', value: '1.5.0-dev.0' },
  { name: 'chart-app-version', type: 'yaml', key: 'appVersion', value: '1.5.0.dev0' },
  {
    name: 'chart-missing-app-version',
    type: 'yaml',
    key: 'appVersion',
    value: '1.0.0',
    error: 'EVERSIONKEYMISSING',
  },
  { name: 'yaml-broken', type: 'yaml', key: 'docker.version', value: '1.0.0', error: 'EINVALIDVERSIONFILE' },
  { name: 'toml-pep621', type: 'toml', key: 'auto', value: '1.4.0' },
  { name: 'toml-poetry', type: 'toml', key: 'auto', value: '2.0.0b3' },
  { name: 'toml-poetry-dynamic-project', type: 'toml', key: 'auto', value: '0.2.0.dev0' },
  { name: 'toml-pep621', type: 'toml', key: 'project.version', value: '1.4.0' },
  {
    name: 'toml-dynamic',
    type: 'toml',
    key: 'auto',
    value: '1.0.0',
    error: 'EVERSIONKEYMISSING',
    hint: /dynamic/,
  },
  { name: 'toml-broken', type: 'toml', key: 'auto', value: '1.0.0', error: 'EINVALIDVERSIONFILE' },
  { name: 'setup-cfg-crlf', type: 'setup.cfg', key: 'metadata.version', value: '1.4.0' },
  {
    name: 'setup-cfg-attr',
    type: 'setup.cfg',
    key: 'metadata.version',
    value: '1.0.0',
    error: 'EVERSIONKEYMISSING',
    hint: /attr:/,
  },
  {
    name: 'setup-cfg-broken',
    type: 'setup.cfg',
    key: 'metadata.version',
    value: '1.0.0',
    error: 'EINVALIDVERSIONFILE',
  },
  { name: 'python-double', type: 'python', key: '__version__', value: '1.5.0.dev0' },
  { name: 'python-single-annotated', type: 'python', key: '__version__', value: '2.0.0rc1' },
  { name: 'python-missing', type: 'python', key: '__version__', value: '1.0.0', error: 'EVERSIONKEYMISSING' },
  { name: 'python-broken', type: 'python', key: '__version__', value: '1.0.0', error: 'EINVALIDVERSIONFILE' },
];

const fixture = (c: Case, which: 'before' | 'after'): Buffer =>
  readFileSync(path.join(FIXTURES, c.name, `${which}.${EXT[c.type]}`));

/** Line endings made visible, so a CRLF/LF mismatch shows in the diff instead of looking identical. */
const visible = (text: string): string => text.replaceAll('\r', '␍');

describe('format-preserving editors (golden files)', () => {
  for (const c of CASES.filter((c) => !c.error)) {
    it(`${c.name}: ${c.key} = ${c.value}`, async () => {
      const before = fixture(c, 'before').toString('utf8');
      const expected = fixture(c, 'after');
      const { newText, oldValue } = await editText(c.type, before, c.key, c.value, c.name);
      expect(visible(newText)).toBe(visible(expected.toString('utf8')));
      expect(Buffer.from(newText, 'utf8').equals(expected)).toBe(true);
      expect(oldValue).not.toBe(c.value);
    });
  }

  for (const c of CASES.filter((c) => c.error)) {
    it(`${c.name}: ${c.error}`, async () => {
      const before = fixture(c, 'before').toString('utf8');
      let thrown: (Error & { code?: string; details?: string }) | undefined;
      try {
        await editText(c.type, before, c.key, c.value, c.name);
      } catch (error) {
        thrown = error as typeof thrown;
      }
      expect(thrown?.code).toBe(c.error);
      expect(thrown?.message).toContain(c.name);
      if (c.hint) expect(thrown?.details).toMatch(c.hint);
    });
  }
});

/** The error code `fn` throws or rejects with. */
const codeOf = async (fn: () => unknown): Promise<string | undefined> => {
  try {
    await fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('editor edge cases', () => {
  it('detects the file type from the name, or takes the explicit one', async () => {
    expect(detectFileType('osvimdriver/pkg_info.json')).toBe('json');
    expect(detectFileType('helm/os-vim-driver/Chart.yaml')).toBe('yaml');
    expect(detectFileType('values.YML')).toBe('yaml');
    expect(detectFileType('pyproject.toml')).toBe('toml');
    expect(detectFileType('setup.cfg')).toBe('setup.cfg');
    expect(detectFileType('osvimdriver/__init__.py')).toBe('python');
    expect(detectFileType('VERSION', 'python')).toBe('python');
    expect(await codeOf(() => detectFileType('VERSION'))).toBe('EUNKNOWNFILETYPE');
    expect(await codeOf(() => detectFileType('a.json', 'xml'))).toBe('EUNKNOWNFILETYPE');
  });

  it('json: the last of duplicate keys wins, as in JSON.parse; a byte order mark survives', async () => {
    const { newText } = await editText(
      'json',
      '\uFEFF{"version": "1", "version": "2"}\n',
      'version',
      '3',
      'p.json',
    );
    expect(newText).toBe('\uFEFF{"version": "1", "version": "3"}\n');
  });

  it('json: refuses an object where the version should be', async () => {
    expect(await codeOf(() => editText('json', '{"version": {"a": 1}}', 'version', '1.0.0', 'p.json'))).toBe(
      'EINVALIDVERSIONFILE',
    );
  });

  it('yaml: fills an empty value, refuses aliases and several documents', async () => {
    expect((await editText('yaml', 'appVersion:\nname: x\n', 'appVersion', '1.0.0', 'C.yaml')).newText).toBe(
      'appVersion: 1.0.0\nname: x\n',
    );
    expect(
      await codeOf(() => editText('yaml', 'a: &v 1.0.0\nversion: *v\n', 'version', '2.0.0', 'v.yaml')),
    ).toBe('EINVALIDVERSIONFILE');
    expect(
      await codeOf(() => editText('yaml', 'version: 1\n---\nversion: 2\n', 'version', '2.0.0', 'v.yaml')),
    ).toBe('EINVALIDVERSIONFILE');
  });

  it('yaml: adds a missing top-level key after `version`, and removes it again byte for byte', async () => {
    const cases: Array<[string, string]> = [
      // Helm's own test chart: no appVersion; the new line follows version, quoted as Helm documents it
      [
        'apiVersion: v1\nname: frobnitz\nversion: "1.2.3"\nkeywords:\n  - a\n',
        'apiVersion: v1\nname: frobnitz\nversion: "1.2.3"\nappVersion: "1.4.0"\nkeywords:\n  - a\n',
      ],
      ['name: x\nversion: 1.0.0 # kept\n', 'name: x\nversion: 1.0.0 # kept\nappVersion: "1.4.0"\n'],
      ['name: x\r\nversion: 1.0.0', 'name: x\r\nversion: 1.0.0\r\nappVersion: "1.4.0"'],
      // no `version`: after the last entry, even a block sequence
      ['name: x\ndeps:\n  - a\n  - b\n', 'name: x\ndeps:\n  - a\n  - b\nappVersion: "1.4.0"\n'],
      ['# top\n  name: x\n  version: 1\n', '# top\n  name: x\n  version: 1\n  appVersion: "1.4.0"\n'],
    ];
    for (const [before, after] of cases) {
      const added = await editText('yaml', before, 'appVersion', '1.4.0', 'C.yaml', 'add');
      expect(added).toEqual({ key: 'appVersion', oldValue: null, newText: after });
      expect((await editText('yaml', after, 'appVersion', null, 'C.yaml')).newText).toBe(before);
    }
    // An existing key is set as usual; an absent key to remove is no change.
    expect(
      (await editText('yaml', 'appVersion: 1.0.0\n', 'appVersion', '2.0.0', 'C.yaml', 'add')).newText,
    ).toBe('appVersion: 2.0.0\n');
    expect((await editText('yaml', 'name: x\n', 'appVersion', null, 'C.yaml')).newText).toBe('name: x\n');
  });

  it('yaml: adds only top-level keys of a block mapping; other files cannot add', async () => {
    for (const [text, key] of [
      ['image:\n  repo: x\n', 'image.tag'],
      ['{name: x, version: 1}\n', 'appVersion'],
      ['- a\n', 'appVersion'],
    ] as const) {
      expect(await codeOf(() => editText('yaml', text, key, '1', 'v.yaml', 'add'))).toBe(
        'EVERSIONKEYMISSING',
      );
    }
    expect(await codeOf(() => editText('json', '{"name": "x"}', 'version', '1', 'p.json', 'add'))).toBe(
      'EVERSIONKEYMISSING',
    );
    // A key sharing its line with another is not taken out by guesswork.
    expect(await codeOf(() => editText('yaml', 'a: {b: 1}\n', 'a', null, 'v.yaml'))).toBe(
      'EINVALIDVERSIONFILE',
    );
  });

  it('yaml: quotes a plain value that YAML 1.1 would read as something else', async () => {
    expect((await editText('yaml', 'tag: latest\n', 'tag', 'yes', 'v.yaml')).newText).toBe('tag: "yes"\n');
    expect((await editText('yaml', 'tag: latest\n', 'tag', '1.5.0+build_1', 'v.yaml')).newText).toBe(
      'tag: 1.5.0+build_1\n',
    );
  });

  it('toml: reports the concrete key for auto; finds dotted and inline-table keys', async () => {
    const pep621 = await editText('toml', '[project]\nversion = "1"\n', 'auto', '2', 'pyproject.toml');
    expect(pep621.key).toBe('project.version');
    const dotted = await editText('toml', 'project.version = "1"\n', 'auto', '2', 'pyproject.toml');
    expect(dotted.newText).toBe('project.version = "2"\n');
    const inline = await editText(
      'toml',
      "project = { name = 'x', version = '1' }\n",
      'auto',
      '2',
      'pyproject.toml',
    );
    expect(inline.newText).toBe("project = { name = 'x', version = '2' }\n");
  });

  it('toml: a literal string falls back to a basic one when the value holds a single quote', async () => {
    expect((await editText('toml', "[project]\nversion = '1'\n", 'auto', "1'2", 'p.toml')).newText).toBe(
      '[project]\nversion = "1\'2"\n',
    );
  });

  it('setup.cfg: colon delimiter and any key case; refuses multi-line values', async () => {
    expect(
      (await editText('setup.cfg', '[metadata]\nVersion: 1.0\n', 'metadata.version', '2.0', 's.cfg')).newText,
    ).toBe('[metadata]\nVersion: 2.0\n');
    expect(
      await codeOf(() =>
        editText('setup.cfg', '[metadata]\nversion =\n  1.0\n', 'metadata.version', '2.0', 's.cfg'),
      ),
    ).toBe('EINVALIDVERSIONFILE');
  });

  it('refuses a value that would not read back unchanged', async () => {
    expect(
      await codeOf(() =>
        editText('setup.cfg', '[metadata]\nversion = 1.0\n', 'metadata.version', ' 2.0', 's.cfg'),
      ),
    ).toBe('EINVALIDVERSIONFILE');
  });

  it('reuses parsed documents without letting one edit or file leak into another', async () => {
    const text = 'version: 1.0.0\nappVersion: 1.0.0\n';
    const first = await editText('yaml', text, 'version', '2.0.0', 'a/Chart.yaml');
    const second = await editText('yaml', text, 'version', '3.0.0', 'a/Chart.yaml');
    expect([first.newText, second.newText]).toEqual([
      'version: 2.0.0\nappVersion: 1.0.0\n',
      'version: 3.0.0\nappVersion: 1.0.0\n',
    ]);
    const missing = (file: string) =>
      editText('yaml', text, 'name', 'x', file).catch((e: Error) => e.message);
    expect(await missing('a/Chart.yaml')).toContain('a/Chart.yaml');
    expect(await missing('b/Chart.yaml')).toContain('b/Chart.yaml');
  });

  it('python: refuses a second top-level assignment instead of guessing', async () => {
    const text = '__version__ = "1.0"\n__version__ = "1.1"\n';
    expect(await codeOf(() => editText('python', text, '__version__', '2.0', 'v.py'))).toBe(
      'EINVALIDVERSIONFILE',
    );
  });
});
