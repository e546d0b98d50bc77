/**
 * Which GitHub a release talks to, resolved exactly as @semantic-release/github resolves it, so the
 * checks and the resumed release of this package reach the same server, repository and token as
 * that plugin does: options first, then GH_* / GITHUB_* variables; never a hard-coded host except
 * api.github.com as the last default.
 */
export interface GithubPluginOptions {
  githubUrl?: unknown;
  githubApiUrl?: unknown;
  githubApiPathPrefix?: unknown;
  draftRelease?: unknown;
}

export interface GithubTarget {
  apiUrl: string;
  owner: string;
  repo: string;
  /** undefined when neither GH_TOKEN nor GITHUB_TOKEN is set. */
  token: string | undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

const join = (base: string, suffix: string) =>
  suffix ? `${base.replace(/\/+$/, '')}/${suffix.replace(/^\/+/, '')}` : base;

/** `owner` and `repo` of a repository URL (https, ssh or scp-like `git@host:owner/repo.git`). */
export function ownerAndRepo(repositoryUrl: string): { owner: string; repo: string } | undefined {
  const scp = /^(?!.+:\/\/)(?:(.*)@)?(.*?):(.*)$/.exec(repositoryUrl);
  let pathname: string;
  try {
    pathname = new URL(scp ? `ssh://${scp[1] ? `${scp[1]}@` : ''}${scp[2]}/${scp[3]}` : repositoryUrl)
      .pathname;
  } catch {
    return undefined;
  }
  const match = /^\/([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(pathname);
  return match && !match[2]!.includes('/') ? { owner: match[1]!, repo: match[2]! } : undefined;
}

export function githubTarget(
  options: GithubPluginOptions,
  env: Record<string, string | undefined>,
  repositoryUrl: string,
): GithubTarget | undefined {
  const names = ownerAndRepo(repositoryUrl);
  if (!names) return undefined;
  const githubUrl = str(options.githubUrl) ?? str(env.GH_URL) ?? str(env.GITHUB_URL);
  const prefix = str(options.githubApiPathPrefix) ?? str(env.GH_PREFIX) ?? str(env.GITHUB_PREFIX) ?? '';
  const apiUrl =
    str(options.githubApiUrl) ??
    str(env.GITHUB_API_URL) ??
    (githubUrl ? join(githubUrl, prefix) : 'https://api.github.com');
  return { apiUrl: apiUrl.replace(/\/+$/, ''), ...names, token: str(env.GH_TOKEN) ?? str(env.GITHUB_TOKEN) };
}

const GITHUB_PLUGIN = '@semantic-release/github';

/**
 * The options of @semantic-release/github in a semantic-release `plugins` list; undefined when the
 * release does not use that plugin (then nothing of this package talks to GitHub either).
 */
export function githubPluginOptions(plugins: unknown): GithubPluginOptions | undefined {
  if (!Array.isArray(plugins)) return undefined;
  for (const entry of plugins as unknown[]) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, {}];
    if (name === GITHUB_PLUGIN)
      return typeof options === 'object' && options !== null ? (options as GithubPluginOptions) : {};
  }
  return undefined;
}

/**
 * The options @semantic-release/github runs with in a release: its own over the global ones, the way
 * semantic-release hands options to every plugin (so a global `githubUrl` counts); undefined when
 * the release does not use that plugin.
 */
export function effectiveGithubOptions(options: Record<string, unknown>): GithubPluginOptions | undefined {
  const plugin = githubPluginOptions(options.plugins);
  return plugin && { ...options, ...plugin };
}
