import {
  chmod,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEdits, checkEdits, resolveInRepo, writeFileAtomic, type VersionEdit } from './index.js';

let base: string;
let repo: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'srs-files-'));
  repo = path.join(base, 'repo');
  await mkdir(path.join(repo, 'osvimdriver'), { recursive: true });
  await mkdir(path.join(repo, 'helm/os-vim-driver'), { recursive: true });
  await writeFile(
    path.join(repo, 'osvimdriver/pkg_info.json'),
    '{"version": "0.1.0", "ignition-version": "==0.1.0"}',
  );
  await writeFile(
    path.join(repo, 'helm/os-vim-driver/Chart.yaml'),
    'name: x\nversion: 0.1.0 # c\nappVersion: "0.1.0"\n',
  );
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const read = (rel: string): Promise<string> => readFile(path.join(repo, rel), 'utf8');
const codes = (error: unknown): string[] =>
  (error instanceof AggregateError ? error.errors : [error]).map((e: { code?: string }) => e.code ?? '?');
const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

const release: VersionEdit[] = [
  { path: 'osvimdriver/pkg_info.json', key: 'version', value: '1.4.0', option: 'python.versionFiles[0]' },
  { path: 'helm/os-vim-driver/Chart.yaml', key: 'version', value: '1.4.0', option: 'helm.chart' },
  { path: 'helm/os-vim-driver/Chart.yaml', key: 'appVersion', value: '1.4.0', option: 'helm.chart' },
];

describe('applyEdits', () => {
  it('writes every file, applying several edits of one file in order', async () => {
    const changes = await applyEdits(repo, release);
    expect(await read('osvimdriver/pkg_info.json')).toBe(
      '{"version": "1.4.0", "ignition-version": "==0.1.0"}',
    );
    expect(await read('helm/os-vim-driver/Chart.yaml')).toBe(
      'name: x\nversion: 1.4.0 # c\nappVersion: "1.4.0"\n',
    );
    expect(changes).toEqual([
      { path: 'osvimdriver/pkg_info.json', key: 'version', oldValue: '0.1.0', newValue: '1.4.0' },
      { path: 'helm/os-vim-driver/Chart.yaml', key: 'version', oldValue: '0.1.0', newValue: '1.4.0' },
      { path: 'helm/os-vim-driver/Chart.yaml', key: 'appVersion', oldValue: '0.1.0', newValue: '1.4.0' },
    ]);
    // Setting the same value again changes nothing and reports nothing.
    expect(await applyEdits(repo, release)).toEqual([]);
  });

  it('reports every problem at once and writes nothing', async () => {
    await writeFile(path.join(repo, 'broken.json'), '{"version": ');
    const edits: VersionEdit[] = [
      ...release,
      { path: 'missing.json', key: 'version', value: '1', option: 'a' },
      { path: 'broken.json', key: 'version', value: '1', option: 'b' },
      { path: 'broken.json', key: 'other', value: '1', option: 'b' },
      { path: 'osvimdriver/pkg_info.json', key: 'nope', value: '1', option: 'c' },
      { path: 'VERSION', key: 'version', value: '1', option: 'd' },
      { path: '../outside.json', key: 'version', value: '1', option: 'e' },
    ];
    const error = await rejection(applyEdits(repo, edits));
    expect(codes(error)).toEqual([
      'EVERSIONFILEMISSING',
      'EINVALIDVERSIONFILE',
      'EVERSIONKEYMISSING',
      'EUNKNOWNFILETYPE',
      'EPATHOUTSIDEREPO',
    ]);
    expect(await read('osvimdriver/pkg_info.json')).toContain('"0.1.0"');
    expect(await read('helm/os-vim-driver/Chart.yaml')).toContain('version: 0.1.0');
  });

  it('checkEdits computes the new texts without writing', async () => {
    const { checked, errors } = await checkEdits(repo, release);
    expect(errors).toEqual([]);
    expect(checked.map((c) => [c.key, c.oldValue, c.value])).toEqual([
      ['version', '0.1.0', '1.4.0'],
      ['version', '0.1.0', '1.4.0'],
      ['appVersion', '0.1.0', '1.4.0'],
    ]);
    expect(checked[2]?.oldText).toBe(checked[1]?.newText);
    expect(await read('helm/os-vim-driver/Chart.yaml')).toContain('version: 0.1.0');
  });

  it('adds a missing key (`add`) and leaves an optional one alone (`skip`); undoing removes the key', async () => {
    const chart = 'helm/os-vim-driver/Chart.yaml';
    await writeFile(path.join(repo, chart), 'name: x\nversion: 0.1.0\n');
    const edits: VersionEdit[] = [
      { path: chart, key: 'appVersion', value: '1.4.0', option: 'helm.appVersion', missing: 'add' },
      { path: chart, key: 'image.tag', value: '1.4.0', option: 'helm.imageTagKey', missing: 'skip' },
      { path: 'helm/values.yaml', key: 'tag', value: '1.4.0', option: 'helm.imageTagKey', missing: 'skip' },
    ];
    const { checked, skipped, errors } = await checkEdits(repo, edits);
    expect(errors).toEqual([]);
    expect(checked.map((c) => [c.key, c.oldValue])).toEqual([['appVersion', null]]);
    expect(skipped.map((s) => [s.path, s.key, s.reason])).toEqual([
      [chart, 'image.tag', 'no-key'],
      ['helm/values.yaml', 'tag', 'no-file'],
    ]);
    const changes = await applyEdits(repo, edits);
    expect(changes).toEqual([{ path: chart, key: 'appVersion', oldValue: null, newValue: '1.4.0' }]);
    expect(await read(chart)).toBe('name: x\nversion: 0.1.0\nappVersion: "1.4.0"\n');
    // What prepare does after a failed build: write each old value back.
    await applyEdits(
      repo,
      changes.map((c) => ({ path: c.path, key: c.key, value: c.oldValue, option: c.path })),
    );
    expect(await read(chart)).toBe('name: x\nversion: 0.1.0\n');
    // `skip` does not hide a file that cannot be parsed.
    await writeFile(path.join(repo, chart), 'name: [x\n');
    expect(codes(await rejection(applyEdits(repo, edits.slice(1, 2))))).toEqual(['EINVALIDVERSIONFILE']);
  });

  it('refuses paths that leave the repository, also through a symbolic link', async () => {
    await mkdir(path.join(base, 'outside'));
    await writeFile(path.join(base, 'outside/pkg_info.json'), '{"version": "0.1.0"}');
    await symlink(path.join(base, 'outside'), path.join(repo, 'linked-dir'));
    await symlink(path.join(base, 'outside/pkg_info.json'), path.join(repo, 'linked.json'));
    const edit = (p: string): VersionEdit => ({
      path: p,
      key: 'version',
      value: '9.9.9',
      option: 'python.versionFiles[0]',
    });
    const error = await rejection(
      applyEdits(repo, [
        edit('../outside/pkg_info.json'),
        edit('osvimdriver/../../outside/pkg_info.json'),
        edit(path.join(base, 'outside/pkg_info.json')),
        edit('linked-dir/pkg_info.json'),
        edit('linked.json'),
      ]),
    );
    expect(codes(error)).toEqual(Array(5).fill('EPATHOUTSIDEREPO'));
    expect(await readFile(path.join(base, 'outside/pkg_info.json'), 'utf8')).toBe('{"version": "0.1.0"}');
  });

  it('refuses a symbolic link as the write target even when it points inside', async () => {
    await symlink('osvimdriver/pkg_info.json', path.join(repo, 'alias.json'));
    const error = await rejection(
      applyEdits(repo, [{ path: 'alias.json', key: 'version', value: '2.0.0', option: 'x' }]),
    );
    expect(codes(error)).toEqual(['ESYMLINKTARGET']);
  });

  it('keeps each file mode', async () => {
    await chmod(path.join(repo, 'osvimdriver/pkg_info.json'), 0o640);
    await chmod(path.join(repo, 'helm/os-vim-driver/Chart.yaml'), 0o755);
    await applyEdits(repo, release);
    expect((await stat(path.join(repo, 'osvimdriver/pkg_info.json'))).mode & 0o7777).toBe(0o640);
    expect((await stat(path.join(repo, 'helm/os-vim-driver/Chart.yaml'))).mode & 0o7777).toBe(0o755);
  });

  it('restores the files already written when a later write fails', async () => {
    const chart = path.join(repo, 'helm/os-vim-driver/Chart.yaml');
    // Root ignores read-only directories, so the failure is real but arranged: the target becomes a directory.
    const sabotage = async (abs: string, data: string): Promise<void> => {
      if (abs === chart) {
        await rm(chart);
        await mkdir(chart);
      }
      await writeFileAtomic(abs, data);
    };
    const error = await rejection(applyEdits(repo, release, { writeFile: sabotage }));
    expect(codes(error)).toEqual(['EWRITEFAILED']);
    expect((error as Error).message).toContain('helm/os-vim-driver/Chart.yaml');
    expect(await read('osvimdriver/pkg_info.json')).toBe(
      '{"version": "0.1.0", "ignition-version": "==0.1.0"}',
    );
    expect((await readdir(path.join(repo, 'osvimdriver'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await readdir(path.join(repo, 'helm/os-vim-driver'))).filter((f) => f.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('stops and restores when a file changed after it was checked', async () => {
    const meddle = async (abs: string, data: string): Promise<void> => {
      await writeFile(
        path.join(repo, 'helm/os-vim-driver/Chart.yaml'),
        'name: someone else\nversion: 0.1.0\n',
      );
      await writeFileAtomic(abs, data);
    };
    const error = await rejection(applyEdits(repo, release, { writeFile: meddle }));
    expect(codes(error)).toEqual(['EWRITEFAILED']);
    expect((error as Error).message).toContain('changed while the release was running');
    expect(await read('osvimdriver/pkg_info.json')).toContain('"0.1.0"');
    expect(await read('helm/os-vim-driver/Chart.yaml')).toBe('name: someone else\nversion: 0.1.0\n');
  });

  it('says which files are left changed when restoring fails too', async () => {
    let calls = 0;
    const failAfterFirst = async (abs: string, data: string): Promise<void> => {
      if (++calls > 1) throw new Error('disk full');
      await writeFileAtomic(abs, data);
    };
    const error = await rejection(applyEdits(repo, release, { writeFile: failAfterFirst }));
    expect(codes(error)).toEqual(['ERESTOREFAILED']);
    expect((error as { details?: string }).details).toContain('git checkout -- osvimdriver/pkg_info.json');
  });
});

describe('resolveInRepo and writeFileAtomic', () => {
  it('accepts paths inside the repository that do not exist yet', async () => {
    const abs = await resolveInRepo(repo, 'new/dir/file.json', 'x');
    expect(abs).toBe(path.join(repo, 'new/dir/file.json'));
    expect(await resolveInRepo(repo, path.join(repo, 'osvimdriver/../setup.cfg'), 'x')).toBe(
      path.join(repo, 'setup.cfg'),
    );
  });

  it('refuses a dangling link on the way, whose target cannot be checked', async () => {
    await symlink(path.join(base, 'nowhere'), path.join(repo, 'dangling'));
    await expect(resolveInRepo(repo, 'dangling/file.json', 'x')).rejects.toMatchObject({
      code: 'EPATHOUTSIDEREPO',
    });
  });

  it('replaces a hard-linked file instead of writing through the link', async () => {
    const target = path.join(repo, 'osvimdriver/pkg_info.json');
    await link(target, path.join(base, 'other-name.json'));
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readFile(path.join(base, 'other-name.json'), 'utf8')).toContain('0.1.0');
  });
});
