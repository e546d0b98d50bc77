import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { readChartArchive, readChartArchiveFile } from './chart-archive.js';
import { GoNum, goFormatFloat, v2Resolve } from './go-yaml.js';
import { checkChart, loadChart, loadChartArchive } from './load-chart.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function writeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'helm-load-'));
  temps.push(dir);
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), data);
  }
  return dir;
}

const CHART = 'apiVersion: v2\nname: demo\nversion: 1.0.0\n';

describe('go-yaml v2 scalars', () => {
  it.each([
    ['yes', true],
    ['Off', false],
    ['~', null],
    ['', null],
    ['0777', new GoNum(511, false)],
    ['0x1F', new GoNum(31, false)],
    ['0o17', new GoNum(15, false)],
    ['1_000', new GoNum(1000, false)],
    ['+12', new GoNum(12, false)],
    ['08', new GoNum(8, true)],
    ['1.20', new GoNum(1.2, true)],
    ['.5', new GoNum(0.5, true)],
    ['1e3', new GoNum(1000, true)],
    ['1:20', '1:20'],
    ['2019-01-01', '2019-01-01'],
    ['0.1.0', '0.1.0'],
    ['v1', 'v1'],
  ])('%j resolves to %j', (s, want) => expect(v2Resolve(s)).toEqual(want));

  it.each([
    [1.2, 32, '1.2'],
    [3.14159265, 32, '3.1415927'],
    [1e6, 64, '1e+06'],
    [123456, 64, '123456'],
    [0.0001, 64, '0.0001'],
    [0.00001, 64, '1e-05'],
    [1234567.5, 64, '1.2345675e+06'],
    [-2.5, 64, '-2.5'],
  ] as const)('FormatFloat(%d, g, -1, %d) = %s', (x, bits, want) =>
    expect(goFormatFloat(x, bits)).toBe(want),
  );
});

describe('loadChart', () => {
  it('follows symbolic links like Helm and strips the BOM', async () => {
    const dir = await writeTree({ 'Chart.yaml': CHART, 'real/notes.txt': '\ufeffhello' });
    await symlink(path.join(dir, 'real/notes.txt'), path.join(dir, 'linked.txt'));
    await symlink(path.join(dir, 'real'), path.join(dir, 'linkdir'));
    const chart = await loadChart(dir);
    expect(chart.files.map((f) => [f.name, f.data.toString()])).toEqual([
      ['linkdir/notes.txt', 'hello'],
      ['linked.txt', 'hello'],
      ['real/notes.txt', 'hello'],
    ]);
  });

  it('walks each directory in byte order, depth first (not a sort of full paths)', async () => {
    const dir = await writeTree({ 'Chart.yaml': CHART, 'a-b/x': '1', 'a/x': '2', B: '3' });
    expect((await loadChart(dir)).files.map((f) => f.name)).toEqual(['B', 'a/x', 'a-b/x']);
  });

  it('assumes apiVersion v1 when Chart.yaml has none, as Helm 3 does', async () => {
    const dir = await writeTree({ 'Chart.yaml': 'name: old\nversion: 1.0.0\n' });
    expect((await loadChart(dir)).metadata.apiVersion).toBe('v1');
  });

  it('keeps v1 requirements.yaml as a file and merges its dependencies', async () => {
    const dir = await writeTree({
      'Chart.yaml': 'apiVersion: v1\nname: old\nversion: 1.0.0\n',
      'requirements.yaml': 'dependencies:\n- name: dep\n  repository: https://x\n',
      'charts/dep/Chart.yaml': 'name: dep\nversion: 0.1.0\n',
    });
    const chart = await loadChart(dir);
    expect(chart.metadata.dependencies).toEqual([{ name: 'dep', repository: 'https://x' }]);
    expect(chart.files.map((f) => f.name)).toEqual(['requirements.yaml']);
    expect(chart.dependencies.map((d) => d.metadata.name)).toEqual(['dep']);
  });

  it("refuses Chart.yaml it cannot decode into Helm's types", async () => {
    const dir = await writeTree({
      'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\nkeywords: nope\ndeprecated: "yes"\n',
    });
    const problems = await checkChart(dir);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/`deprecated` must be true or false/),
    ]);
    const broken = await writeTree({ 'Chart.yaml': 'name: [\n' });
    expect((await checkChart(broken))[0]).toMatchObject({ code: 'EINVALIDCHART' });
  });

  it('names every file by the label it is given (the path in the repository), never absolutely', async () => {
    const dir = await writeTree({
      'Chart.yaml': CHART,
      '.helmignore': 'a**b\n',
      'charts/sub/Chart.yaml': 'name: sub\nversion: 0.1.0\ndeprecated: "yes"\n',
    });
    const problems = await checkChart(dir, 'helm/demo');
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('`helm/demo/.helmignore`')]);
    await writeFile(path.join(dir, '.helmignore'), '');
    const [sub] = await checkChart(dir, 'helm/demo');
    expect(sub?.message).toContain('`helm/demo/charts/sub/Chart.yaml`');
    expect(sub?.message).not.toContain(dir);
    expect((await checkChart(path.join(dir, 'nope'), 'helm/nope'))[0]?.message).toBe(
      'No Chart.yaml in `helm/nope`.',
    );
  });

  it('unpacks chart archives in every tar flavour GNU tar writes', async () => {
    const long = `${'d'.repeat(60)}/${'f'.repeat(70)}.txt`;
    const sub = await writeTree({ 'sub/Chart.yaml': 'name: sub\nversion: 0.1.0\n', [`sub/${long}`]: 'x' });
    for (const format of ['gnu', 'ustar', 'pax']) {
      const dir = await writeTree({ 'Chart.yaml': CHART });
      await mkdir(path.join(dir, 'charts'));
      execFileSync('tar', [
        `--format=${format}`,
        '-czf',
        path.join(dir, 'charts/sub-0.1.0.tgz'),
        '-C',
        sub,
        'sub',
      ]);
      const [dep] = (await loadChart(dir)).dependencies;
      expect(dep?.files.map((f) => f.name)).toEqual([long]);
    }
  });

  it('refuses archives that would escape their folder', () => {
    const header = (name: string, size: number): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
      h.write('0', 156);
      h.fill(0x20, 148, 156); // Helm (Go's archive/tar) checks the header checksum, as the reader does
      h.write(
        `${h
          .reduce((a, b) => a + b, 0)
          .toString(8)
          .padStart(6, '0')}\0 `,
        148,
      );
      return h;
    };
    const tgz = (name: string): Buffer =>
      gzipSync(Buffer.concat([header(name, 1), Buffer.alloc(512, 'x'), Buffer.alloc(1024)]));
    expect(() => readChartArchive(tgz('c/../../etc/passwd'))).toThrow(/parent directory/);
    expect(() => readChartArchive(tgz('c//etc/passwd'))).toThrow(/absolute/);
    expect(() => readChartArchive(tgz('Chart.yaml'))).toThrow(/outside the chart's folder/);
    expect(() => readChartArchive(tgz('Chart.yaml/x'))).toThrow(/not inside a folder/);
    expect(readChartArchive(tgz('c/a.txt'))).toEqual([{ name: 'a.txt', data: Buffer.from('x') }]);
  });

  it('streams a chart archive from its file to the same files and chart as from its bytes', async () => {
    const dir = await writeTree({
      'demo/Chart.yaml': CHART,
      'demo/values.yaml': '\ufeffreplicas: 2\n',
      'demo/templates/big.yaml': `# ${'x'.repeat(300_000)}\n`,
    });
    const file = path.join(dir, 'demo-1.0.0.tgz');
    execFileSync('tar', ['--format=pax', '-czf', file, '-C', dir, 'demo']);
    const bytes = await readFile(file);
    const streamed = await readChartArchiveFile(file);
    expect(streamed).toEqual(readChartArchive(bytes));
    expect(streamed.map((f) => f.name).sort()).toEqual(['Chart.yaml', 'templates/big.yaml', 'values.yaml']);
    expect(streamed.find((f) => f.name === 'values.yaml')?.data.toString()).toBe('replicas: 2\n');
    const fromFile = await loadChartArchive({ file }, 'demo-1.0.0.tgz');
    expect(fromFile.metadata).toEqual((await loadChartArchive(bytes, 'demo-1.0.0.tgz')).metadata);
    expect(fromFile.metadata.version).toBe('1.0.0');

    await writeFile(path.join(dir, 'cut.tgz'), bytes.subarray(0, bytes.length - 40));
    await expect(readChartArchiveFile(path.join(dir, 'cut.tgz'))).rejects.toThrow(
      /not a gzip archive|truncated/,
    );
    await expect(readChartArchiveFile(path.join(dir, 'Chart.yaml.tgz'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await writeFile(path.join(dir, 'plain.tgz'), 'not gzip');
    await expect(readChartArchiveFile(path.join(dir, 'plain.tgz'))).rejects.toThrow(/not a gzip archive/);
  });

  it('stops at Helm’s limits while streaming, and caps an archive unpacked in memory', async () => {
    const dir = await writeTree({});
    const big = path.join(dir, 'big.tgz');
    // One 6 MiB file: more than Helm's 5 MiB per file, refused from its header alone.
    await mkdir(path.join(dir, 'c'));
    await writeFile(path.join(dir, 'c/Chart.yaml'), CHART);
    await writeFile(path.join(dir, 'c/blob'), Buffer.alloc(6 * 1024 * 1024));
    execFileSync('tar', ['-czf', big, '-C', dir, 'c']);
    await expect(readChartArchiveFile(big)).rejects.toThrow(/larger than Helm allows/);
    expect(() => readChartArchive(gzipSync(Buffer.alloc(200 * 1024 * 1024 + 1)))).toThrow(
      /larger than Helm allows/,
    );
  });
});
