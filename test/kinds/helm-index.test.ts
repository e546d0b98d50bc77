import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { kindByEntry } from '../../src/kinds/index.js';
import { addToIndex, goTime, type IndexEntry } from '../../src/kinds/helm/chart-index.js';
import { repositoryWebUrl } from '../../src/core/repository-url.js';
import { resolveHelmConfig } from '../../src/kinds/helm/config.js';
import { fakeStepContext, recordingLogger, srContext, type RecordingLogger } from '../helpers/contexts.js';
import { cloneRemote, commit, createRepo, logOf, showFile, type TestRepo } from '../helpers/git.js';
import { findTool, INSTALL_HINTS } from '../helpers/tools.js';

const helm = () => createPlugin([kindByEntry('helm')] as never, 'standalone');
const EPOCH = '1700000000'; // 2023-11-14T22:13:20Z
const URL_TEMPLATE = 'https://github.com/acme/demo/releases/download/{gitTag}/{file}';
const CHART = `apiVersion: v2
name: os-vim-driver
description: A Helm chart for the driver
version: 0.1.0
appVersion: 0.1.0
`;

let repo: TestRepo;
beforeEach(async () => {
  repo = await createRepo({
    files: {
      'helm/os-vim-driver/Chart.yaml': CHART,
      'helm/os-vim-driver/values.yaml': 'image:\n  tag: 0.1.0\n',
      'helm/os-vim-driver/templates/deployment.yaml': 'kind: Deployment\n',
      '.gitignore': 'release-artifacts/\n',
    },
  });
});
afterEach(async () => {
  await repo?.cleanup();
});

type Entry = { version: string; digest: string; urls: string[]; created: string; name: string };
interface IndexFile {
  apiVersion: string;
  generated: string;
  entries: Record<string, Entry[]>;
}

const options = (index: Record<string, unknown> = {}) => ({
  chart: 'helm/os-vim-driver',
  index: { url: URL_TEMPLATE, ...index },
});
const codes = (error: unknown): string[] =>
  (error instanceof AggregateError ? error.errors : [error]).map((e) => (e as { code: string }).code).sort();

function context(
  logger: RecordingLogger,
  version: string,
  extra: { env?: Record<string, string>; prerelease?: boolean } = {},
) {
  return srContext({
    root: repo.dir,
    logger,
    version,
    repositoryUrl: repo.remoteUrl,
    env: { ...repo.gitEnv(), SOURCE_DATE_EPOCH: EPOCH, ...extra.env },
    ...(extra.prerelease
      ? { branch: { name: 'beta', type: 'prerelease' as const, prerelease: 'beta' } }
      : {}),
  });
}

/** prepare (packages the chart) and success (adds it to the index), as a release would. */
async function release(version: string, opts = options(), extra: Parameters<typeof context>[2] = {}) {
  const logger = recordingLogger();
  const ctx = context(logger, version, extra);
  await helm().verifyConditions(opts, ctx);
  await helm().prepare(opts, ctx);
  await helm().success(opts, ctx);
  return logger;
}

const readIndex = async (file = 'index.yaml', branch = 'gh-pages') =>
  parse(await showFile(repo.remote, branch, file)) as IndexFile;
const versionsOf = (index: IndexFile) => index.entries['os-vim-driver']!.map((e) => e.version);
const packageSha = async (version: string) =>
  createHash('sha256')
    .update(await readFile(path.join(repo.dir, `release-artifacts/os-vim-driver-${version}.tgz`)))
    .digest('hex');

describe('helm.index: the chart repository index in a branch', () => {
  it('creates the branch as an orphan holding index.yaml, without touching the checkout', async () => {
    const head = await repo.git(['rev-parse', 'HEAD']);
    const logger = await release('1.0.0');

    const index = await readIndex();
    expect(index.apiVersion).toBe('v1');
    expect(Object.keys(index.entries)).toEqual(['os-vim-driver']);
    expect(index.entries['os-vim-driver']).toEqual([
      {
        apiVersion: 'v2',
        appVersion: '1.0.0',
        created: '2023-11-14T22:13:20Z',
        description: 'A Helm chart for the driver',
        digest: await packageSha('1.0.0'),
        name: 'os-vim-driver',
        urls: ['https://github.com/acme/demo/releases/download/v1.0.0/os-vim-driver-1.0.0.tgz'],
        version: '1.0.0',
      },
    ]);
    // written the way `helm repo index` writes it: keys sorted, times quoted, lists not indented
    const text = await showFile(repo.remote, 'gh-pages', 'index.yaml');
    expect(text).toMatch(/^apiVersion: v1\nentries:\n {2}os-vim-driver:\n {2}- apiVersion: v2\n/);
    expect(text).toContain('    created: "2023-11-14T22:13:20Z"\n');
    expect(text).toMatch(/\ngenerated: "\d{4}-\d\d-\d\dT[\d:.]+Z"$/);

    const log = await logOf(repo.remote, 'gh-pages');
    expect(log.map((c) => c.subject)).toEqual([
      'chore(release): update chart index for os-vim-driver 1.0.0 [skip ci]',
    ]);
    const parents = await repo.git(['--git-dir', repo.remote, 'rev-list', '--parents', '-n1', 'gh-pages']);
    expect(parents.split(' ')).toHaveLength(1); // an orphan
    expect(await repo.git(['--git-dir', repo.remote, 'ls-tree', '--name-only', 'gh-pages'])).toBe(
      'index.yaml',
    );

    // the user's checkout: same branch, same HEAD, nothing staged, no local gh-pages
    expect(await repo.git(['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(await repo.git(['diff', '--cached', '--name-only'])).toBe('');
    expect(await repo.git(['branch', '--list', 'gh-pages'])).toBe('');
    expect(logger.text()).toContain('Added os-vim-driver 1.0.0 to index.yaml on branch gh-pages');
  });

  it('adds later versions newest first, includes prereleases, and a re-run changes nothing', async () => {
    await release('1.0.0');
    await release('1.1.0');
    expect(versionsOf(await readIndex())).toEqual(['1.1.0', '1.0.0']);

    await release('2.0.0-beta.1', options(), { prerelease: true });
    const index = await readIndex();
    expect(versionsOf(index)).toEqual(['2.0.0-beta.1', '1.1.0', '1.0.0']);
    expect(index.entries['os-vim-driver']![0]!.urls).toEqual([
      'https://github.com/acme/demo/releases/download/v2.0.0-beta.1/os-vim-driver-2.0.0-beta.1.tgz',
    ]);
    // an older patch released later still sorts by version
    await release('1.0.1');
    expect(versionsOf(await readIndex())).toEqual(['2.0.0-beta.1', '1.1.0', '1.0.1', '1.0.0']);

    const commits = (await logOf(repo.remote, 'gh-pages')).length;
    const again = recordingLogger();
    await helm().success(options(), context(again, '1.0.1'));
    expect(again.text()).toContain('already lists os-vim-driver 1.0.1 with this digest; nothing to push');
    expect(await logOf(repo.remote, 'gh-pages')).toHaveLength(commits);
  });

  it('refuses the same version with a different package', async () => {
    await release('1.0.0');
    const commits = await logOf(repo.remote, 'gh-pages');
    await writeFile(path.join(repo.dir, 'helm/os-vim-driver/templates/service.yaml'), 'kind: Service\n');
    const logger = recordingLogger();
    const ctx = context(logger, '1.0.0');
    await helm().prepare(options(), ctx);
    const error = await helm()
      .success(options(), ctx)
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTEXISTS']);
    expect((error as Error).message).toContain('gh-pages:index.yaml');
    expect(await logOf(repo.remote, 'gh-pages')).toEqual(commits);
  });

  it('keeps the other files of an existing branch and writes the index at the configured path', async () => {
    await repo.git(['checkout', '--quiet', '--orphan', 'gh-pages']);
    await repo.git(['rm', '-rf', '--quiet', '.']);
    await commit(repo, 'docs: site', { 'README.md': '# site\n' });
    await repo.git(['push', '--quiet', 'origin', 'gh-pages']);
    await repo.git(['checkout', '--quiet', '-f', 'main']);

    await release('1.0.0', options({ path: 'charts/index.yaml' }));
    const files = await repo.git(['--git-dir', repo.remote, 'ls-tree', '-r', '--name-only', 'gh-pages']);
    expect(files.split('\n')).toEqual(['README.md', 'charts/index.yaml']);
    expect(versionsOf(await readIndex('charts/index.yaml'))).toEqual(['1.0.0']);
    expect((await logOf(repo.remote, 'gh-pages')).map((c) => c.subject)).toEqual([
      'chore(release): update chart index for os-vim-driver 1.0.0 [skip ci]',
      'docs: site',
    ]);
  });

  it('adds the entry again on top of a branch that moved meanwhile, without force', async () => {
    await release('1.0.0');
    // Someone else adds another chart to the index; their push lands just before ours.
    const other = await cloneRemote(repo, { branch: 'gh-pages' });
    const theirs = parse(await readFile(path.join(other.dir, 'index.yaml'), 'utf8')) as IndexFile;
    theirs.entries['other-chart'] = [{ ...theirs.entries['os-vim-driver']![0]!, name: 'other-chart' }];
    await writeFile(path.join(other.dir, 'index.yaml'), JSON.stringify(theirs));
    await commit(other, 'chore: add other-chart');
    const wrapper = await gitMovingBranchBeforePush(other.dir, 'once');

    const logger = await release('1.1.0', options(), { env: wrapper.env });
    expect(logger.text()).toContain('gh-pages moved while the chart index was updated');
    const index = await readIndex();
    expect(Object.keys(index.entries).sort()).toEqual(['os-vim-driver', 'other-chart']);
    expect(versionsOf(index)).toEqual(['1.1.0', '1.0.0']);
    expect((await logOf(repo.remote, 'gh-pages')).map((c) => c.subject)).toEqual([
      'chore(release): update chart index for os-vim-driver 1.1.0 [skip ci]',
      'chore: add other-chart',
      'chore(release): update chart index for os-vim-driver 1.0.0 [skip ci]',
    ]);
  });

  it('gives up with ECHARTINDEXCONFLICT when the branch keeps moving', async () => {
    await release('1.0.0');
    const other = await cloneRemote(repo, { branch: 'gh-pages' });
    const wrapper = await gitMovingBranchBeforePush(other.dir, 'always');
    const error = await release('1.1.0', options({ pushAttempts: 2 }), { env: wrapper.env }).catch(
      (e: unknown) => e,
    );
    expect(codes(error)).toEqual(['ECHARTINDEXCONFLICT']);
    expect(versionsOf(await readIndex())).toEqual(['1.0.0']);
  });

  it('reports an index Helm could not read, and an invalid branch name in verifyConditions', async () => {
    await repo.git(['checkout', '--quiet', '--orphan', 'gh-pages']);
    await repo.git(['rm', '-rf', '--quiet', '.']);
    await commit(repo, 'broken index', { 'index.yaml': 'entries: {}\n' });
    await repo.git(['push', '--quiet', 'origin', 'gh-pages']);
    await repo.git(['checkout', '--quiet', '-f', 'main']);
    const error = await release('1.0.0').catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTINDEX']);
    expect((error as Error).message).toContain('apiVersion');

    const bad = await helm()
      .verifyConditions(options({ branch: 'gh..pages' }), context(recordingLogger(), '1.0.0'))
      .catch((e: unknown) => e);
    expect(codes(bad)).toEqual(['EINVALIDOPTION']);
  });
});

/**
 * A `git` first on PATH that, before a `push` of the release (once, or every time), pushes the
 * clone's gh-pages ahead, the way another writer would in between our fetch and our push.
 */
async function gitMovingBranchBeforePush(cloneDir: string, when: 'once' | 'always') {
  const realGit = findTool('git');
  if (!realGit) throw new Error(`git is missing: ${INSTALL_HINTS.git}`);
  const bin = await mkdtemp(path.join(repo.root, 'bin-'));
  const marker = path.join(bin, 'moved');
  const move =
    when === 'always'
      ? `"$REAL_GIT" -C "$OTHER" commit --quiet --allow-empty -m "chore: someone else" >/dev/null 2>&1`
      : 'true';
  const script = `#!/bin/sh
if [ "$1" = "push" ] && { [ "${when}" = "always" ] || [ ! -e "${marker}" ]; }; then
  touch "${marker}"
  ${move}
  "$REAL_GIT" -C "$OTHER" push --quiet origin HEAD:refs/heads/gh-pages >/dev/null 2>&1
fi
exec "$REAL_GIT" "$@"
`;
  await writeFile(path.join(bin, 'git'), script);
  await chmod(path.join(bin, 'git'), 0o755);
  return { env: { PATH: `${bin}:${process.env.PATH}`, REAL_GIT: realGit, OTHER: cloneDir } };
}

describe('index.yaml entries', () => {
  const entry = (version: string, digest = 'a'.repeat(64)): IndexEntry => ({
    name: 'c',
    version,
    digest,
    metadata: { name: 'c', version, apiVersion: 'v2' },
    url: `https://x.example/c-${version}.tgz`,
    created: '2023-11-14T22:13:20Z',
  });
  const where = { branch: 'gh-pages', path: 'index.yaml' };
  const at = new Date('2024-01-02T03:04:05.120Z');

  it('writes Helm-style YAML and sorts by SemVer, unparsable versions last, keeping other fields', () => {
    let text: string | undefined =
      'apiVersion: v1\nentries:\n  c:\n  - version: not-semver\n    digest: x\n    name: c\n    urls: []\npublicKeys:\n- k\n';
    for (const v of ['1.0.0', '1.10.0', '1.2.0', '1.10.0-rc.1', '1.10.0-alpha.2']) {
      const result = addToIndex(text, entry(v), at, where);
      expect(result.changed).toBe(true);
      if (result.changed) text = result.text;
    }
    const index = parse(text!) as IndexFile & { publicKeys: string[] };
    expect(index.entries.c!.map((e) => e.version)).toEqual([
      '1.10.0',
      '1.10.0-rc.1',
      '1.10.0-alpha.2',
      '1.2.0',
      '1.0.0',
      'not-semver',
    ]);
    expect(index.publicKeys).toEqual(['k']);
    expect(text).toContain('\ngenerated: "2024-01-02T03:04:05.12Z"\n');
    expect(addToIndex(text, entry('1.2.0'), at, where)).toEqual({
      changed: false,
      reason: 'gh-pages:index.yaml already lists c 1.2.0 with this digest',
    });
    expect(() => addToIndex(text, entry('1.2.0', 'b'.repeat(64)), at, where)).toThrow(/different chart/);
  });

  it('formats times as Go does and derives the release download URL from the repository URL', () => {
    expect(goTime(new Date('2024-01-02T03:04:05.000Z'))).toBe('2024-01-02T03:04:05Z');
    expect(repositoryWebUrl('https://github.com/acme/demo.git')).toBe('https://github.com/acme/demo');
    expect(repositoryWebUrl('git@github.example.com:acme/demo.git')).toBe(
      'https://github.example.com/acme/demo',
    );
    expect(repositoryWebUrl('git+ssh://git@github.com:22/acme/demo.git')).toBe(
      'https://github.com/acme/demo',
    );
    expect(repositoryWebUrl('file:///tmp/demo.git')).toBeUndefined();
    const ctx = fakeStepContext({ root: '/tmp', repositoryUrl: 'https://github.com/acme/demo.git' });
    expect(resolveHelmConfig({ chart: 'c', index: true }, ctx).config?.index).toEqual({
      branch: 'gh-pages',
      path: 'index.yaml',
      url: 'https://github.com/acme/demo/releases/download/{gitTag}/{file}',
      pushAttempts: 3,
    });
    const local = fakeStepContext({ root: '/tmp', repositoryUrl: 'file:///tmp/demo.git' });
    expect(codes(resolveHelmConfig({ chart: 'c', index: true }, local).errors[0])).toEqual([
      'EINVALIDOPTION',
    ]);
    const typo = resolveHelmConfig({ chart: 'c', index: { url: 'https://x/{tag}/{file}' } }, ctx);
    expect(codes(typo.errors[0])).toEqual(['EINVALIDOPTION']);
  });
});
