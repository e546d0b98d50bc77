/**
 * RELIABILITY 3–6 — bad input, through the REAL `semantic-release --dry-run` with the built composite
 * plugin: every case is refused in verifyConditions with its own code and a fix (the details), no
 * stack trace reaches the output, and the repository is left exactly as it was (no write, no
 * release-artifacts/). Each case is a fresh repository laid out the way the README describes.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker } from '../helpers/docker.js';
import { commit, createRepo, type TestRepo } from '../helpers/git.js';
import { PypiStandin } from '../helpers/pypi-standin.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../helpers/tools.js';
import { PLUGIN, requireDist, serviceFiles } from './support.js';

let dockerHost: string;
const repos: TestRepo[] = [];
const pypi = new PypiStandin({ password: 'pypi-the-token' });

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  ({ host: dockerHost } = await ensureDocker());
  await pypi.start();
});
afterAll(async () => {
  await pypi.stop();
  await Promise.all(repos.map((r) => r.cleanup()));
});

type Stack = Record<string, Record<string, unknown>>;

/** Every kind on; the wheel is not built (no interpreter needed) and the image is not pushed. */
function baseStack(): Stack {
  return {
    python: { build: false, versionFiles: ['osvimdriver/pkg_info.json'] },
    docs: { dir: 'docs', name: 'os-vim-driver' },
    docker: { image: '127.0.0.1:5999/acme/os-vim-driver', wheelsDir: false, push: false },
    helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
    devVersion: {},
  };
}

interface Case {
  name: string;
  /** Files to write (string) or delete (null) before the initial commit. */
  files?: Record<string, string | null>;
  /** Changes to the repository after the initial commit (symlinks…); committed. */
  arrange?: (repo: TestRepo) => Promise<void>;
  stack?: (stack: Stack) => void;
  branches?: unknown[];
  branch?: string;
  /** Extra environment of the run (credentials). */
  env?: () => Record<string, string>;
  /** Every code reported, each as often as it must appear (one problem, one error). */
  codes: string[];
  /** Text of the fix (the details) that must be shown. */
  fix: string | RegExp;
}

const traversal = (option: string, set: (s: Stack) => void, code = 'EPATHOUTSIDEREPO'): Case => ({
  name: `path traversal in ${option}`,
  stack: set,
  codes: [code],
  fix: code === 'EPATHOUTSIDEREPO' ? 'must stay inside the repository root' : 'inside the build context',
});

const CASES: Case[] = [
  {
    name: 'version file missing',
    files: { 'osvimdriver/pkg_info.json': null },
    codes: ['EVERSIONFILEMISSING'],
    fix: 'Create it, or fix the path in `python.versionFiles[0]`',
  },
  {
    name: 'version file is not valid JSON',
    files: { 'osvimdriver/pkg_info.json': '{"version": "0.1.0",\n' },
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `osvimdriver/pkg_info.json`; nothing was written.',
  },
  {
    name: 'version file is not valid TOML',
    files: { 'pyproject.toml': '[project\nname = "os-vim-driver"\nversion = "0.1.0"\n' },
    stack: (s) => (s.python!.versionFiles = ['pyproject.toml']),
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `pyproject.toml`',
  },
  {
    name: 'version file is not valid YAML',
    files: { 'helm/os-vim-driver/values.yaml': 'docker:\n  image: [unclosed\n  version: 0.1.0\n' },
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `helm/os-vim-driver/values.yaml`',
  },
  {
    name: 'version file lacks its key',
    files: { 'osvimdriver/pkg_info.json': '{"name": "os-vim-driver"}\n' },
    codes: ['EVERSIONKEYMISSING'],
    fix: 'Add `version` to `osvimdriver/pkg_info.json`',
  },
  {
    name: 'values key path missing',
    stack: (s) => (s.helm!.imageTagKey = 'image.tag'),
    codes: ['EVERSIONKEYMISSING'],
    fix: 'Add `image.tag` to `helm/os-vim-driver/values.yaml`',
  },
  {
    // one problem, one error: the chart check does not report the same file again (EINVALIDCHART)
    name: 'Chart.yaml broken',
    files: { 'helm/os-vim-driver/Chart.yaml': 'apiVersion: v2\nname: [os-vim-driver\nversion: 0.1.0\n' },
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `helm/os-vim-driver/Chart.yaml`',
  },
  {
    name: 'the version file setup.py reads is broken (no EDISTNAME on top)',
    files: { 'osvimdriver/pkg_info.json': '{"version": "0.1.0",\n' },
    stack: (s) => (s.python = { ...s.python, build: true, interpreter: SYSTEM_PYTHON, isolation: false }),
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `osvimdriver/pkg_info.json`',
  },
  {
    name: 'pyproject.toml is the version file and is broken (no EDISTNAME on top)',
    files: {
      'pyproject.toml': '[project\nname = "os-vim-driver"\nversion = "0.1.0"\n',
      'setup.py': null,
    },
    stack: (s) =>
      (s.python = {
        ...s.python,
        build: true,
        interpreter: SYSTEM_PYTHON,
        isolation: false,
        versionFiles: ['pyproject.toml'],
      }),
    codes: ['EINVALIDVERSIONFILE'],
    fix: 'Fix the syntax of `pyproject.toml`',
  },
  {
    name: 'a sub-chart Helm cannot decode (named by its path in the repository)',
    files: {
      'helm/os-vim-driver/charts/sub/Chart.yaml':
        'apiVersion: v2\nname: sub\nversion: 0.1.0\ndeprecated: "yes"\n',
    },
    codes: ['EINVALIDCHART'],
    fix: 'Fix helm/os-vim-driver/charts/sub/Chart.yaml; nothing was packaged.',
  },
  {
    name: 'non-SemVer version in a sub-chart',
    files: {
      'helm/os-vim-driver/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.2.0.dev0\n',
    },
    codes: ['ECHARTVERSION'],
    fix: 'PEP 440 spellings such as `1.2.0rc1` or `0.2.0.dev0` are not',
  },
  {
    name: 'docs missing',
    files: { 'docs/index.html': null },
    codes: ['EDOCSMISSING'],
    fix: 'Build the docs before the release',
  },
  {
    name: 'a docs entry is a symlink out of the repository',
    arrange: (repo) => symlink('../../outside-secret.txt', path.join(repo.dir, 'docs', 'leak.txt')),
    codes: ['EDOCSLINKOUT'],
    fix: 'replace it with a copy of its target, or exclude it with `docs.exclude`',
  },
  {
    name: 'the docs directory is a symlink out of the repository',
    files: { 'docs/index.html': null },
    arrange: async (repo) => {
      await mkdir(path.join(repo.root, 'elsewhere'), { recursive: true });
      await writeFile(path.join(repo.root, 'elsewhere', 'index.html'), 'x\n');
      await symlink(path.join(repo.root, 'elsewhere'), path.join(repo.dir, 'docs'));
    },
    codes: ['EPATHOUTSIDEREPO'],
    fix: 'also after following symbolic links',
  },
  {
    name: 'no Dockerfile',
    files: { 'docker/Dockerfile': null },
    codes: ['EDOCKERFILEMISSING'],
    fix: 'Create it or fix the option',
  },
  {
    name: 'invalid image name',
    stack: (s) => (s.docker!.image = 'Acme/OS Vim Driver:latest'),
    codes: ['EINVALIDIMAGE'],
    fix: 'is a repository name without tag or digest',
  },
  traversal('python.versionFiles', (s) => (s.python!.versionFiles = ['../x'])),
  traversal('python.distDir', (s) => {
    s.python = { ...s.python, build: true, interpreter: SYSTEM_PYTHON, distDir: '../x' };
  }),
  traversal('docs.dir', (s) => (s.docs!.dir = '../x')),
  traversal('docker.context', (s) => (s.docker!.context = '../x')),
  traversal('docker.dockerfile', (s) => (s.docker!.dockerfile = '../x')),
  traversal('docker.wheelsDir', (s) => (s.docker!.wheelsDir = '../x'), 'EINVALIDOPTION'),
  traversal('helm.chart', (s) => (s.helm!.chart = '../x')),
  traversal('helm.valuesFile', (s) => (s.helm!.valuesFile = '../../../x')),
  {
    name: 'unknown option (a typo) inside a kind section',
    stack: (s) => (s.docker!.contxt = 'docker'),
    codes: ['EUNKNOWNOPTION'],
    fix: 'did you mean `context`?',
  },
  {
    name: 'a prerelease channel with no PEP 440 mapping',
    branches: ['main', { name: 'next', prerelease: true }],
    arrange: async (repo) => {
      await repo.git(['checkout', '--quiet', '-b', 'next']);
      await repo.git(['push', '--quiet', 'origin', 'next']);
    },
    branch: 'next',
    codes: ['EPRERELEASEMAP'],
    fix: '"prereleaseMap": { "next": "rc" }',
  },
  {
    name: 'the real interpreter misses a build backend module',
    files: {
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools", "srs-no-such-backend"]\nbuild-backend = "setuptools.build_meta"\n',
    },
    stack: (s) => (s.python = { ...s.python, build: true, interpreter: SYSTEM_PYTHON, isolation: false }),
    codes: ['EPYTHONMODULE'],
    fix: `${SYSTEM_PYTHON} -m pip install srs-no-such-backend`,
  },
  {
    name: 'a PyPI token the index refuses',
    stack: (s) =>
      (s.python = {
        ...s.python,
        build: true,
        interpreter: SYSTEM_PYTHON,
        isolation: false,
        publish: { repositoryUrl: pypi.uploadUrl },
      }),
    env: () => ({ PYPI_TOKEN: 'pypi-not-the-token' }),
    codes: ['EPYPIAUTH'],
    fix: 'an upload that carries no file',
  },
  {
    name: 'several problems at once',
    files: {
      'docker/Dockerfile': null,
      'docs/index.html': null,
      'osvimdriver/pkg_info.json': '{"version": ',
    },
    stack: (s) => (s.helm!.imageTagKy = 'docker.version'),
    codes: ['EDOCKERFILEMISSING', 'EDOCSMISSING', 'EINVALIDVERSIONFILE', 'EUNKNOWNOPTION'],
    fix: 'did you mean `imageTagKey`?',
  },
];

async function arrangeRepo(c: Case): Promise<TestRepo> {
  const files: Record<string, string> = await serviceFiles();
  for (const [rel, content] of Object.entries(c.files ?? {})) {
    if (content === null) delete files[rel];
    else files[rel] = content;
  }
  const repo = await createRepo({ files });
  repos.push(repo);
  if (c.arrange) {
    await c.arrange(repo);
    await commit(repo, 'chore: arrange the case');
  }
  await commit(repo, 'feat: something to release');
  await repo.git(['push', '--quiet', 'origin', 'HEAD']);
  return repo;
}

/** Text without terminal escapes and inline-code backticks, as every semantic-release major shows it. */
function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('`', '');
}

/**
 * Stack frames that are not semantic-release's own. Its CLI ends every failed run with
 * `util.inspect(error)` of the AggregateError its plugin pipeline throws, so frames of
 * node_modules/semantic-release (and node:internal) always show; none may come from this package.
 */
function foreignFrames(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .filter((line) => !/node_modules\/semantic-release\/|node:internal|processTicksAndRejections/.test(line));
}

describe.concurrent('bad input is refused in verifyConditions by the real semantic-release --dry-run', () => {
  it.each(CASES)('$name', async (c) => {
    const repo = await arrangeRepo(c);
    const stack = baseStack();
    c.stack?.(stack);
    const result = await runSemanticRelease(repo, {
      dryRun: true,
      ...(c.branch ? { branch: c.branch } : {}),
      env: { DOCKER_HOST: dockerHost, ...c.env?.() },
      config: {
        branches: c.branches ?? ['main'],
        repositoryUrl: repo.remoteUrl,
        plugins: [
          '@semantic-release/commit-analyzer',
          '@semantic-release/release-notes-generator',
          [PLUGIN, stack],
        ],
      },
    });
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(`Failed step "verifyConditions" of plugin "${PLUGIN}"`);
    // Every problem is reported, and only once.
    const reported = [...result.output.matchAll(/✘ +([A-Z0-9]+) /g)].map((m) => m[1]);
    expect(reported.sort(), result.output).toEqual([...c.codes].sort());
    // Every path in an error is relative to the repository root (which EPATHOUTSIDEREPO may name).
    expect(plainText(result.output)).not.toContain(`${repo.dir}/`);
    // semantic-release renders the details as Markdown (25 drops the backticks of inline code).
    const details = plainText(result.output);
    if (typeof c.fix === 'string') expect(details).toContain(plainText(c.fix));
    else expect(details).toMatch(c.fix);
    // Only coded errors: no "An error occurred" dump, no frame of ours, no plan (verifyRelease never ran).
    expect(result.output).not.toContain('An error occurred while running semantic-release');
    expect(foreignFrames(result.output)).toEqual([]);
    expect(result.output).not.toContain('Release plan for');
    // The tree is untouched.
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(existsSync(path.join(repo.dir, 'release-artifacts'))).toBe(false);
    // The credential check of the index uploads no file.
    expect(pypi.files).toEqual([]);
    expect(result.output).not.toContain('pypi-not-the-token');
    await rm(path.join(repo.root, 'elsewhere'), { recursive: true, force: true });
  });
});
