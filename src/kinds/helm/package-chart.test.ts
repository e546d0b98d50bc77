import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkChart } from './load-chart.js';
import { goKeyLess, goYamlMarshal, packageChart } from './package-chart.js';

/** Helm's own test chart, vendored with its licence (test/fixtures/helm-conformance/README.md). */
const FROBNITZ = fileURLToPath(new URL('../../../test/fixtures/helm-conformance/frobnitz', import.meta.url));
if (!existsSync(FROBNITZ)) throw new Error(`Helm's conformance chart is missing at ${FROBNITZ}`);
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function temp(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'helm-pkg-'));
  temps.push(d);
  return d;
}

/** A writable copy of the fixture (the tests must not change the vendored original). */
async function frobnitzCopy(): Promise<string> {
  const dir = path.join(await temp(), 'src-folder');
  execFileSync('cp', ['-R', '--no-preserve=mode', FROBNITZ, dir]);
  return dir;
}

async function writeChart(files: Record<string, string | Buffer>): Promise<string> {
  const dir = path.join(await temp(), 'chart');
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), data);
  }
  return dir;
}

const tar = (...args: string[]): string => execFileSync('tar', args, { encoding: 'utf8' });
const list = (tgz: string): string[] => tar('-tzf', tgz).trim().split('\n');
const show = (tgz: string, name: string): string => tar('-xzOf', tgz, name);
const codes = (e: unknown): string[] =>
  (e instanceof AggregateError ? e.errors : [e]).map((x: { code?: string }) => x.code ?? String(x));

const FROBNITZ_ENTRIES = [
  'Chart.yaml',
  'values.yaml',
  'templates/template.tpl',
  '.helmignore',
  'INSTALL.txt',
  'LICENSE',
  'README.md',
  'docs/README.md',
  'icon.svg',
  'charts/alpine/Chart.yaml',
  'charts/alpine/values.yaml',
  'charts/alpine/templates/alpine-pod.yaml',
  'charts/alpine/README.md',
  'charts/alpine/charts/mast1/Chart.yaml',
  'charts/alpine/charts/mast1/values.yaml',
  'charts/alpine/charts/mast2/Chart.yaml',
  'charts/alpine/charts/mast2/values.yaml',
  'charts/mariner/Chart.yaml',
  'charts/mariner/values.yaml',
  'charts/mariner/templates/placeholder.tpl',
  'charts/mariner/charts/albatross/Chart.yaml',
  'charts/mariner/charts/albatross/values.yaml',
].map((n) => `frobnitz/${n}`);

describe('packageChart on the frobnitz conformance chart', () => {
  it('writes what helm package writes, following every rule of the README', async () => {
    const src = await frobnitzCopy();
    const out = await temp();
    const r = await packageChart({ chartDir: src, outDir: out, mtime: 1_700_000_000 });

    // Named from Chart.yaml (not the folder), one file in outDir, no temp file left behind.
    expect(r.path).toBe(path.join(out, 'frobnitz-1.2.3.tgz'));
    expect(await readdir(out)).toEqual(['frobnitz-1.2.3.tgz']);
    expect({ name: r.name, version: r.version }).toEqual({ name: 'frobnitz', version: '1.2.3' });
    const bytes = await readFile(r.path);
    expect(r.size).toBe(bytes.length);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);

    // Entry list and order: Chart.yaml, values, templates, other files in walk order, then dependencies.
    const entries = list(r.path);
    expect(entries).toEqual(FROBNITZ_ENTRIES);
    expect(entries.every((e) => e.startsWith('frobnitz/'))).toBe(true); // Chart.yaml name, not "src-folder"
    expect(entries).not.toContain('frobnitz/ignore/me.txt'); // .helmignore holds `ignore/`
    expect(entries.some((e) => e.includes('_ignore_me'))).toBe(false); // charts/_* is skipped
    expect(entries.some((e) => e.endsWith('.tgz'))).toBe(false); // archives are expanded...
    expect(entries).toContain('frobnitz/charts/mariner/templates/placeholder.tpl'); // ...mariner-4.3.2.tgz
    expect(entries).toContain('frobnitz/charts/mariner/charts/albatross/Chart.yaml'); // ...nested albatross-0.1.0.tgz
    expect(entries).toContain('frobnitz/charts/alpine/charts/mast2/Chart.yaml'); // ...mast2-0.1.0.tgz
    expect(entries).toContain('frobnitz/charts/alpine/charts/mast1/Chart.yaml'); // nested directory chart
    expect(entries).not.toContain('frobnitz/Chart.lock'); // Helm v3 writes Chart.lock for apiVersion v2 only

    // No directory entries; every file 0644, owned by 0/0 with no user or group names.
    const verbose = tar('--numeric-owner', '-tvzf', r.path).trim().split('\n');
    expect(verbose).toHaveLength(entries.length);
    for (const line of verbose) expect(line).toMatch(/^-rw-r--r-- 0\/0 /);
    const named = tar('-tvzf', r.path).trim().split('\n');
    for (const line of named) expect(line).toMatch(/^-rw-r--r-- 0\/0 /);

    // Chart.yaml is re-serialised like Helm's: keys sorted, a v1 chart's dependencies dropped.
    expect(show(r.path, 'frobnitz/Chart.yaml')).toBe(
      [
        'annotations:',
        '  anotherkey: anothervalue',
        '  extrakey: extravalue',
        'apiVersion: v1',
        'description: This is a frobnitz.',
        'home: http://example.com',
        'icon: https://example.com/64x64.png',
        'keywords:',
        '- frobnitz',
        '- sprocket',
        '- dodad',
        'maintainers:',
        '- email: helm@example.com',
        '  name: The Helm Team',
        '- email: nobody@example.com',
        '  name: Someone Else',
        'name: frobnitz',
        'sources:',
        '- https://example.com/foo/bar',
        'version: 1.2.3',
        '',
      ].join('\n'),
    );
    expect(r.metadata).toMatchObject({
      name: 'frobnitz',
      apiVersion: 'v1',
      dependencies: [{ name: 'alpine' }, { name: 'mariner' }],
    });
    // values.yaml and other files keep their bytes.
    expect(show(r.path, 'frobnitz/values.yaml')).toBe(await readFile(path.join(src, 'values.yaml'), 'utf8'));
    expect(show(r.path, 'frobnitz/docs/README.md')).toBe(
      await readFile(path.join(src, 'docs/README.md'), 'utf8'),
    );

    // gzip: no timestamp, comment "Helm" as Helm writes it.
    expect(bytes.readUInt32LE(4)).toBe(0);
    expect(bytes.includes(Buffer.from('Helm\0'))).toBe(true);
    expect(await checkChart(src)).toEqual([]);
  });

  it('is reproducible: file mtimes do not matter, the given mtime does', async () => {
    const src = await frobnitzCopy();
    const a = await packageChart({ chartDir: src, outDir: await temp(), mtime: 1_600_000_000 });
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        await utimes(p, new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
      }
    };
    await walk(src);
    const b = await packageChart({ chartDir: src, outDir: await temp(), mtime: 1_600_000_000 });
    expect((await readFile(b.path)).equals(await readFile(a.path))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
    expect(tar('--numeric-owner', '--full-time', '-tvzf', a.path)).toContain('2020-09-13 12:26:40');
  });
});

describe('packageChart on small charts', () => {
  const base = { 'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' };

  it('strips a UTF-8 BOM from every file, Chart.yaml included', async () => {
    const bom = '\ufeff';
    const dir = await writeChart({
      'Chart.yaml': `${bom}apiVersion: v2\nname: bommed\nversion: 1.0.0\n`,
      'values.yaml': `${bom}a: 1\n`,
      'templates/cm.yaml': `${bom}kind: ConfigMap\n`,
    });
    const r = await packageChart({ chartDir: dir, outDir: await temp(), mtime: 0 });
    expect(path.basename(r.path)).toBe('bommed-1.0.0.tgz');
    expect(show(r.path, 'bommed/values.yaml')).toBe('a: 1\n');
    expect(show(r.path, 'bommed/templates/cm.yaml')).toBe('kind: ConfigMap\n');
    expect(show(r.path, 'bommed/Chart.yaml')).toBe('apiVersion: v2\nname: bommed\nversion: 1.0.0\n');
  });

  it('applies --version / --app-version overrides to the file name and Chart.yaml', async () => {
    const dir = await writeChart({ ...base, 'values.yaml': 'x: 1\n' });
    const r = await packageChart({
      chartDir: dir,
      outDir: await temp(),
      mtime: 0,
      version: '1.2.0-rc.1',
      appVersion: '1.2.0rc1',
    });
    expect(path.basename(r.path)).toBe('demo-1.2.0-rc.1.tgz');
    expect(show(r.path, 'demo/Chart.yaml')).toBe(
      'apiVersion: v2\nappVersion: 1.2.0rc1\nname: demo\nversion: 1.2.0-rc.1\n',
    );
    await expect(
      packageChart({ chartDir: dir, outDir: await temp(), mtime: 0, version: '1.2.0rc1' }),
    ).rejects.toMatchObject({ code: 'ECHARTVERSION' });
  });

  it('leaves dotfiles under templates/ out, keeps .helmignore, and re-serialises Chart.lock for v2', async () => {
    const dir = await writeChart({
      'Chart.yaml':
        'apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: child\n    version: ">=0.1.0"\n    repository: "file://../child"\n',
      'Chart.lock':
        'dependencies:\n- name: child\n  repository: file://../child\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: "2024-05-06T07:08:09.120+00:00"\n',
      '.helmignore': '*.swp\n',
      'templates/.secret': 'x',
      'templates/a.yaml.swp': 'x',
      'templates/a.yaml': 'a: 1\n',
      'charts/child/Chart.yaml': 'apiVersion: v2\nname: child\nversion: 0.1.0\n',
      'charts/child/.helmignore': 'nothing-here\n',
      'charts/child/templates/.hidden': 'kept: a sub-chart dotfile is not under the root templates/\n',
    });
    const r = await packageChart({ chartDir: dir, outDir: await temp(), mtime: 0 });
    expect(list(r.path)).toEqual([
      'parent/Chart.yaml',
      'parent/Chart.lock',
      'parent/templates/a.yaml',
      'parent/.helmignore',
      // A sub-chart's own .helmignore is a plain file to Helm: only the root one is read.
      'parent/charts/child/Chart.yaml',
      'parent/charts/child/templates/.hidden',
      'parent/charts/child/.helmignore',
    ]);
    expect(show(r.path, 'parent/Chart.lock')).toBe(
      'dependencies:\n- name: child\n  repository: file://../child\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: "2024-05-06T07:08:09.12Z"\n',
    );
    expect(show(r.path, 'parent/Chart.yaml')).toContain(
      "dependencies:\n- name: child\n  repository: file://../child\n  version: '>=0.1.0'\n",
    );
  });

  it('reports a dependency listed in Chart.yaml but absent from charts/', async () => {
    const dir = await writeChart({
      'Chart.yaml': `${base['Chart.yaml']}dependencies:\n- name: gone\n  repository: https://x\n`,
    });
    const problems = await checkChart(dir);
    expect(codes(problems[0])).toEqual(['EINVALIDCHART']);
    expect(problems[0]!.message).toContain('gone');
    await expect(packageChart({ chartDir: dir, outDir: await temp(), mtime: 0 })).rejects.toMatchObject({
      code: 'EINVALIDCHART',
    });
  });

  it('fails with ECHARTMISSING when there is no Chart.yaml, writing nothing', async () => {
    const dir = await writeChart({ 'values.yaml': 'a: 1\n' });
    const out = path.join(await temp(), 'out');
    await expect(packageChart({ chartDir: dir, outDir: out, mtime: 0 })).rejects.toMatchObject({
      code: 'ECHARTMISSING',
    });
    await expect(readdir(out)).rejects.toThrow();
    expect(codes((await checkChart(path.join(dir, 'nope')))[0])).toEqual(['ECHARTMISSING']);
  });

  it('reports several problems together', async () => {
    const dir = await writeChart({
      'Chart.yaml': 'apiVersion: v2\nname: a/b\nversion: 0.2.0.dev0\ntype: plugin\n',
      'values.yaml': '- not\n- a mapping\n',
      'charts/stray.txt': 'helm fails on plain files in charts/\n',
    });
    const err = await packageChart({ chartDir: dir, outDir: await temp(), mtime: 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AggregateError);
    expect(codes(err).sort()).toEqual([
      'ECHARTNAME',
      'ECHARTVERSION',
      'EINVALIDCHART',
      'EINVALIDCHART',
      'EINVALIDCHART',
    ]);
  });

  it('refuses a .helmignore with ** or a broken glob (EHELMIGNORE)', async () => {
    const dir = await writeChart({ ...base, '.helmignore': 'docs/**\n[abc\n' });
    expect((await checkChart(dir)).map((e) => codes(e)[0])).toEqual(['EHELMIGNORE', 'EHELMIGNORE']);
  });

  it('reads Chart.yaml the way Helm does: YAML 1.1 scalars, numbers as text, keys in any case', async () => {
    const dir = await writeChart({
      'Chart.yaml':
        'APIVERSION: v2\nName: demo\nversion: 1.10\nappVersion: 0x10\ndeprecated: yes\nunknown: field\ndescription: "  padded  "\n',
    });
    const r = await packageChart({ chartDir: dir, outDir: await temp(), mtime: 0 });
    expect(r.version).toBe('1.1'); // go-yaml reads 1.10 as a float; Helm turns it into "1.1"
    expect(show(r.path, 'demo/Chart.yaml')).toBe(
      'apiVersion: v2\nappVersion: "16"\ndeprecated: true\ndescription: \'  padded  \'\nname: demo\nversion: "1.1"\n',
    );
  });
});

describe('goYamlMarshal (go-yaml v2 output)', () => {
  it('folds long plain text after column 80 and quotes only when needed', () => {
    const words =
      'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore';
    expect(goYamlMarshal({ description: words })).toBe(
      // The break goes at the first space once the column is past 80, not before it.
      'description: lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n  tempor incididunt ut labore et dolore\n',
    );
    expect(
      goYamlMarshal({
        a: '1.0',
        b: 'true',
        c: '',
        d: 'x: y',
        e: '#no',
        f: "it's",
        g: 'a\nb',
        h: 'tab\there',
        i: '2020-01-02',
        j: '~',
      }),
    ).toBe(
      'a: "1.0"\nb: "true"\nc: ""\nd: \'x: y\'\ne: \'#no\'\nf: it\'s\ng: |-\n  a\n  b\nh: "tab\\there"\ni: "2020-01-02"\nj: "~"\n',
    );
    expect(goYamlMarshal({ list: [{ b: 1, a: [] }, ['x', 'y']], empty: {}, n: null, f: 1.5 })).toBe(
      // y and n are YAML 1.1 booleans to go-yaml v2, so they are quoted, keys included.
      'empty: {}\nf: 1.5\nlist:\n- a: []\n  b: 1\n- - x\n  - "y"\n"n": null\n',
    );
  });

  it('escapes what libyaml cannot print: tabs, C1 controls and characters beyond U+FFFF', () => {
    expect(goYamlMarshal({ e: 'smile \u{1F600}', c: 'bell\u0007', q: '"quoted" \\ text\t' })).toBe(
      'c: "bell\\a"\ne: "smile \\U0001F600"\nq: "\\"quoted\\" \\\\ text\\t"\n',
    );
  });

  it('orders keys like go-yaml: numbers inside keys by value, non-letters first', () => {
    const keys = ['b', 'a10', 'a9', 'A', '_x', 'a'];
    expect(keys.sort((x, y) => (goKeyLess(x, y) ? -1 : goKeyLess(y, x) ? 1 : 0))).toEqual([
      '_x',
      'A',
      'a',
      'a9',
      'a10',
      'b',
    ]);
  });
});
