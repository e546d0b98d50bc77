/**
 * Real git repositories for the integration tests: a working repository with a bare remote
 * (`origin`), both in one temporary directory.
 *
 * Every git call made through these helpers is isolated from the machine: no system or global
 * config (GIT_CONFIG_NOSYSTEM=1, GIT_CONFIG_GLOBAL=/dev/null), no inherited GIT_DIR & co., and a
 * fixed author/committer.
 *
 * `origin` is `file://<bare path>`: semantic-release's default repositoryUrl is origin's URL,
 * and @semantic-release/release-notes-generator 14 needs one that `new URL()` parses.
 *
 * The bare remote lives at `<root>/remotes/<owner>/<name>.git` (`slug` option, default
 * `acme/demo`) so that a URL alias can give it a GitHub-like `owner/repo` path: see
 * `addUrlAlias` and `test/helpers/github-standin.ts`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { INSTALL_HINTS, findTool } from './tools.js';

export const TEST_AUTHOR = { name: 'SRS Test', email: 'srs-test@example.invalid' } as const;

export type FileContent = string | Uint8Array;

export interface GitRunner {
  /** Working tree. */
  dir: string;
  /** Runs git in `dir`; returns trimmed stdout; throws with stderr on failure. */
  git(args: string[], options?: { input?: string; reject?: boolean }): Promise<string>;
}

export interface TestRepo extends GitRunner {
  /** Temporary directory holding everything (work tree, remote, clones). */
  root: string;
  /** Bare repository path. */
  remote: string;
  /** `file://<remote>` — the URL of `origin`, hence semantic-release's default repositoryUrl. */
  remoteUrl: string;
  /** `owner/name` path of the remote under `<root>/remotes/`. */
  slug: string;
  branch: string;
  /** `url.<remote>.insteadOf` aliases, applied by env to every git call of the helpers. */
  urlAliases: string[];
  /** The env the helpers give git (and runSemanticRelease gives semantic-release). */
  gitEnv(): Record<string, string>;
  cleanup(): Promise<void>;
}

export interface Clone extends GitRunner {
  cleanup(): Promise<void>;
}

/** Variables that would make git look at another repository or config than the one intended. */
const GIT_LEAKS = /^GIT_/;

/** Git isolation: no system/global config, no prompts, the fixed test identity. */
export function gitIsolationEnv(): Record<string, string> {
  return {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: TEST_AUTHOR.name,
    GIT_AUTHOR_EMAIL: TEST_AUTHOR.email,
    GIT_COMMITTER_NAME: TEST_AUTHOR.name,
    GIT_COMMITTER_EMAIL: TEST_AUTHOR.email,
  };
}

/** process.env minus GIT_*, plus gitIsolationEnv() and `extra`. */
export function isolatedGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !GIT_LEAKS.test(key)) env[key] = value;
  }
  return { ...env, ...gitIsolationEnv(), ...extra };
}

/** GIT_CONFIG_COUNT/KEY_n/VALUE_n entries that make `url` resolve to `remote` (git >= 2.31). */
export function urlAliasEnv(remote: string, urls: string[]): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(urls.length) };
  urls.forEach((url, index) => {
    env[`GIT_CONFIG_KEY_${index}`] = `url.${remote}.insteadOf`;
    env[`GIT_CONFIG_VALUE_${index}`] = url;
  });
  return urls.length > 0 ? env : {};
}

function requireGit(): string {
  const git = findTool('git');
  if (!git) throw new Error(`git is missing: ${INSTALL_HINTS.git}`);
  return git;
}

async function runGit(
  cwd: string,
  env: Record<string, string>,
  args: string[],
  options: { input?: string; reject?: boolean } = {},
): Promise<string> {
  const result = await execa(requireGit(), args, {
    cwd,
    env,
    extendEnv: false,
    input: options.input,
    reject: false,
    stripFinalNewline: true,
  });
  if (result.exitCode !== 0 && options.reject !== false) {
    throw new Error(
      `git ${args.join(' ')} (in ${cwd}) failed with exit code ${result.exitCode}:\n${result.stderr}`,
    );
  }
  return String(result.stdout).trim();
}

async function writeFiles(dir: string, files: Record<string, FileContent>): Promise<string[]> {
  const paths = Object.keys(files);
  for (const path of paths) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, files[path] as FileContent);
  }
  return paths;
}

export interface CreateRepoOptions {
  files?: Record<string, FileContent>;
  branch?: string;
  /** `owner/name` of the bare remote's path; default `acme/demo`. */
  slug?: string;
  /** Message of the initial commit; default `chore: initial commit` (no release). */
  message?: string;
}

/**
 * A temporary working repository (user.name/email set locally) with an initial commit of
 * `files`, a bare remote as `origin`, the branch pushed with upstream.
 */
export async function createRepo(options: CreateRepoOptions = {}): Promise<TestRepo> {
  const { files = { 'README.md': '# demo\n' }, branch = 'main', slug = 'acme/demo' } = options;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(slug))
    throw new Error(`slug must be owner/name, got ${slug}`);
  requireGit();
  const root = await mkdtemp(join(tmpdir(), 'srs-git-'));
  const dir = join(root, 'work');
  const remote = join(root, 'remotes', `${slug}.git`);
  const urlAliases: string[] = [];
  const gitEnv = () => isolatedGitEnv(urlAliasEnv(remote, urlAliases));

  await mkdir(dir, { recursive: true });
  await mkdir(remote, { recursive: true });
  await runGit(remote, gitEnv(), ['init', '--bare', '--quiet', `--initial-branch=${branch}`]);
  await runGit(dir, gitEnv(), ['init', '--quiet', `--initial-branch=${branch}`]);
  const git = (args: string[], opts?: { input?: string; reject?: boolean }) =>
    runGit(dir, gitEnv(), args, opts);
  await git(['config', 'user.name', TEST_AUTHOR.name]);
  await git(['config', 'user.email', TEST_AUTHOR.email]);
  await git(['config', 'commit.gpgsign', 'false']);
  await git(['config', 'tag.gpgsign', 'false']);
  await writeFiles(dir, files);
  await git(['add', '--all']);
  await git(['commit', '--quiet', '--allow-empty', '-m', options.message ?? 'chore: initial commit']);
  // A file:// URL, not the bare path: @semantic-release/release-notes-generator 14 does
  // `new URL(repositoryUrl)` and throws "Invalid URL" on a plain path.
  const remoteUrl = pathToFileURL(remote).href;
  await git(['remote', 'add', 'origin', remoteUrl]);
  await git(['push', '--quiet', '--set-upstream', 'origin', branch]);

  return {
    root,
    dir,
    remote,
    remoteUrl,
    slug,
    branch,
    urlAliases,
    gitEnv,
    git,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Makes git resolve `url` (e.g. `http://127.0.0.1:PORT/acme/demo.git`) to the bare remote, for
 * every git call of these helpers and of runSemanticRelease (`url.<remote>.insteadOf`, passed by
 * GIT_CONFIG_COUNT env, so it also holds in clones a plugin makes elsewhere).
 */
export function addUrlAlias(repo: TestRepo, url: string): void {
  if (!repo.urlAliases.includes(url)) repo.urlAliases.push(url);
}

/**
 * Makes `origin` an URL that only the working repository's own `.git/config` resolves (its
 * `url.file://<remote>.insteadOf`; default `https://git.example.invalid/<slug>.git`, a host that
 * does not exist): anything that loses the repository's configuration (a clone, another
 * repository) cannot reach the remote. Returns the URL, to use as repositoryUrl.
 */
export async function remoteOnlyThroughConfig(
  repo: TestRepo,
  url = `https://git.example.invalid/${repo.slug}.git`,
): Promise<string> {
  await repo.git(['config', `url.${repo.remoteUrl}.insteadOf`, url]);
  await repo.git(['remote', 'set-url', 'origin', url]);
  return url;
}

/**
 * Writes `files` (if any), stages everything and commits (allowing an empty commit).
 * Returns the new commit's sha. Does not push.
 */
export async function commit(
  repo: GitRunner,
  message: string,
  files?: Record<string, FileContent>,
): Promise<string> {
  if (files) await writeFiles(repo.dir, files);
  await repo.git(['add', '--all']);
  await repo.git(['commit', '--quiet', '--allow-empty', '-m', message]);
  return repo.git(['rev-parse', 'HEAD']);
}

/** Commits and pushes the current branch to origin. */
export async function commitAndPush(
  repo: GitRunner,
  message: string,
  files?: Record<string, FileContent>,
): Promise<string> {
  const sha = await commit(repo, message, files);
  await repo.git(['push', '--quiet', 'origin', 'HEAD']);
  return sha;
}

/** A second clone of the remote (someone else's checkout, e.g. to move the branch meanwhile). */
export async function cloneRemote(repo: TestRepo, options: { branch?: string } = {}): Promise<Clone> {
  const branch = options.branch ?? repo.branch;
  const dir = await mkdtemp(join(repo.root, 'clone-'));
  await runGit(repo.root, repo.gitEnv(), ['clone', '--quiet', '--branch', branch, repo.remote, dir]);
  const git = (args: string[], opts?: { input?: string; reject?: boolean }) =>
    runGit(dir, repo.gitEnv(), args, opts);
  await git(['config', 'user.name', 'Someone Else']);
  await git(['config', 'user.email', 'someone-else@example.invalid']);
  return { dir, git, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function bareGit(remote: string, args: string[], options: { reject?: boolean } = {}): Promise<string> {
  return runGit(remote, isolatedGitEnv(), ['--git-dir', remote, ...args], options);
}

/** Tag names in the bare remote, sorted by name. */
export async function tagsOf(remote: string): Promise<string[]> {
  const out = await bareGit(remote, ['tag', '--list', '--sort=refname']);
  return out ? out.split('\n') : [];
}

/** Commit a tag points at in the bare remote (dereferenced), or undefined. */
export async function tagCommit(remote: string, tag: string): Promise<string | undefined> {
  const out = await bareGit(remote, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], {
    reject: false,
  });
  return out || undefined;
}

/** Content of `path` at `ref` in the bare remote; throws when it does not exist. */
export async function showFile(remote: string, ref: string, path: string): Promise<string> {
  return bareGit(remote, ['show', `${ref}:${path}`]);
}

export interface LogEntry {
  hash: string;
  subject: string;
  body: string;
  author: string;
}

/** Commits of `branch` in the bare remote, newest first. */
export async function logOf(remote: string, branch: string): Promise<LogEntry[]> {
  const RS = '\x1e';
  const US = '\x1f';
  const out = await bareGit(remote, [
    'log',
    `--format=%H${US}%s${US}%an <%ae>${US}%b${RS}`,
    `refs/heads/${branch}`,
  ]);
  return out
    .split(RS)
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [hash = '', subject = '', author = '', body = ''] = record.split(US);
      return { hash, subject, author, body: body.trim() };
    });
}

/** git notes semantic-release keeps for a tag (refs/notes/semantic-release-<tag>), parsed. */
export async function releaseNoteOf(remote: string, tag: string): Promise<unknown> {
  const out = await bareGit(remote, ['notes', `--ref=semantic-release-${tag}`, 'show', `refs/tags/${tag}`], {
    reject: false,
  });
  return out ? JSON.parse(out) : undefined;
}
