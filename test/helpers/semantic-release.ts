/**
 * Runs the REAL semantic-release CLI (node_modules/semantic-release/bin/semantic-release.js of
 * this checkout) in a test repository, as a child process with a controlled environment.
 *
 * How semantic-release 24 finds the branch here (read in node_modules/env-ci/index.js and
 * semantic-release/index.js): env-ci tries every known CI service's `detect(env)` (GITHUB_ACTIONS,
 * GITLAB_CI, TRAVIS, JENKINS_URL, BUILDKITE, CIRCLECI, DRONE, bamboo_agentId, CI=woodpecker, …).
 * None matches in our env, so it falls back to `isCi = Boolean(env.CI)` and
 * `branch = git rev-parse --abbrev-ref HEAD` in cwd (on a detached HEAD: the `origin/<x>`
 * decoration of HEAD). So `CI=true` + a checked-out branch is all it takes; no `--no-ci`.
 * Without CI, semantic-release silently switches to dry-run mode.
 *
 * The child's env is built from a whitelist of the parent's (PATH, HOME, locale, TMPDIR…), so
 * no CI-provider variable (GITHUB_ACTIONS, GITHUB_ACTION — which also changes how the GitHub
 * plugin checks permissions —, GITLAB_CI, …), no token, no proxy (the GitHub plugin honours
 * http_proxy/HTTP_PROXY) and no GIT_* of the parent leaks in. Then: CI=true, git isolation
 * (no global/system config), GIT_AUTHOR_* / GIT_COMMITTER_* = the test identity, the repo's
 * URL aliases, and last the caller's `env`.
 *
 * Push to a local bare remote: the default `repositoryUrl` is `remote.origin.url`, which
 * createRepo sets to `file://<bare path>` (a plain path works for git but
 * @semantic-release/release-notes-generator 14 throws "Invalid URL" on it).
 * lib/get-git-auth-url.js first tries `git push --dry-run --no-verify <url> HEAD:<branch>`;
 * that succeeds on a writable local remote, so the URL is used as is and the tag
 * (`git push --tags <url>`) and the notes ref land in the bare remote.
 *
 * The config is written to `<repo>/.releaserc.json` and listed in `.git/info/exclude`: it is
 * found by cosmiconfig in cwd but never committed (by semantic-release, @semantic-release/git
 * `git add`, or a plugin's `git add -A`) and does not show in `git status`.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { gitIsolationEnv, urlAliasEnv, type TestRepo } from './git.js';

/** /work/main (the checkout this file lives in). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * The CLI the tests run: this checkout's semantic-release (the development dependency), or another
 * major's when SRS_TEST_SEMANTIC_RELEASE names its bin file (scripts/test.sh runs the end-to-end chain
 * again under semantic-release 24 that way).
 */
export const SEMANTIC_RELEASE_BIN =
  process.env.SRS_TEST_SEMANTIC_RELEASE ??
  join(PROJECT_ROOT, 'node_modules/semantic-release/bin/semantic-release.js');
/** The Node that runs it: the tests' own, or SRS_TEST_NODE (the newest Node, in scripts/test.sh). */
export const SEMANTIC_RELEASE_NODE = process.env.SRS_TEST_NODE ?? process.execPath;

/** Parent variables a child may see; everything else is dropped. */
const PASS_THROUGH = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TMP|TEMP)$/;

export interface RunOptions {
  /** Written as `.releaserc.json` (overwriting one from an earlier run); omit to keep what is there. */
  config?: Record<string, unknown>;
  /** Extra env, applied last (tokens, DOCKER_HOST, GITHUB_API_URL…). `undefined` removes a var. */
  env?: Record<string, string | undefined>;
  /** Adds `--dry-run`. */
  dryRun?: boolean;
  /** Checks this branch out first; when `config.branches` is not set, releases from it alone. */
  branch?: string;
  /** Extra CLI arguments (e.g. `['--debug']`). */
  args?: string[];
  timeout?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  output: string;
}

/** The env the CLI gets (see the header comment). */
export function semanticReleaseEnv(
  repo: Pick<TestRepo, 'remote' | 'urlAliases'>,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && PASS_THROUGH.test(key)) result[key] = value;
  }
  Object.assign(result, gitIsolationEnv(), urlAliasEnv(repo.remote, repo.urlAliases), {
    CI: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

async function excludeFromGit(dir: string, name: string): Promise<void> {
  const exclude = join(dir, '.git', 'info', 'exclude');
  const current = await readFile(exclude, 'utf8').catch(() => '');
  if (!current.split('\n').includes(`/${name}`)) {
    await appendFile(exclude, `${current.endsWith('\n') || current === '' ? '' : '\n'}/${name}\n`);
  }
}

export async function runSemanticRelease(
  repo: Pick<TestRepo, 'dir' | 'remote' | 'urlAliases' | 'git'>,
  options: RunOptions = {},
): Promise<RunResult> {
  if (!existsSync(SEMANTIC_RELEASE_BIN)) {
    throw new Error(
      `semantic-release is missing: run \`npm ci\` in ${PROJECT_ROOT} (${SEMANTIC_RELEASE_BIN})`,
    );
  }
  if (options.branch) await repo.git(['checkout', '--quiet', options.branch]);
  if (options.config) {
    const config = { ...options.config };
    if (options.branch && config.branches === undefined) config.branches = [options.branch];
    await excludeFromGit(repo.dir, '.releaserc.json');
    await writeFile(join(repo.dir, '.releaserc.json'), JSON.stringify(config, null, 2) + '\n');
  }
  const args = [SEMANTIC_RELEASE_BIN, ...(options.dryRun ? ['--dry-run'] : []), ...(options.args ?? [])];
  const result = await execa(SEMANTIC_RELEASE_NODE, args, {
    cwd: repo.dir,
    env: semanticReleaseEnv(repo, options.env),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: options.timeout ?? 300_000,
  });
  return {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    output: String(result.all),
  };
}
