import type { ExecContext } from '../exec.js';
import { remoteFor, tryGit } from './git.js';

/**
 * The URL semantic-release pushes to (its lib/get-git-auth-url.js, re-stated): the repository URL
 * as it is when git can push with it (ssh keys, a credential helper, `url.*.insteadOf`,
 * `http.*.extraheader` of the repository's config), otherwise an https (or http) URL carrying the
 * token of the environment. One token variable is taken without asking; with several, the first (in
 * this order) the remote accepts. git never sees the token in argv: remoteFor turns it into an
 * `http.extraHeader` in git's environment and registers it with the redactor.
 */
const TOKENS: ReadonlyArray<[variable: string, user: string | undefined]> = [
  ['GIT_CREDENTIALS', undefined],
  ['GH_TOKEN', undefined],
  ['GITHUB_TOKEN', 'x-access-token'],
  ['GL_TOKEN', 'gitlab-ci-token'],
  ['GITLAB_TOKEN', 'gitlab-ci-token'],
  ['BB_TOKEN', 'x-token-auth'],
  ['BITBUCKET_TOKEN', 'x-token-auth'],
  ['BB_TOKEN_BASIC_AUTH', undefined],
  ['BITBUCKET_TOKEN_BASIC_AUTH', undefined],
];

/** `git+https://…` → `https://…` (semantic-release does the same before anything else). */
function plainUrl(url: string): string {
  return url.replace(/^git\+(https?:)/, '$1');
}

/** The http(s) form of an ssh, scp-like or http(s) URL, with `credentials` as its user info. */
export function withCredentials(url: string, credentials: string): string | undefined {
  const scp = /^(?!.+:\/\/)(?:[^@/]*@)?([^:/]+):(?:\d+:?)?\/?(.*)$/.exec(url);
  let parsed: URL;
  try {
    parsed = new URL(scp ? `ssh://${scp[1]}/${scp[2]}` : url);
  } catch {
    return undefined;
  }
  const http = parsed.protocol === 'http:' || parsed.protocol === 'git+http:';
  const port = /^(?:git\+)?https?:$/.test(parsed.protocol) ? parsed.port : '';
  const out = new URL(`${http ? 'http' : 'https'}://${parsed.hostname}${port ? `:${port}` : ''}`);
  out.pathname = parsed.pathname;
  const colon = credentials.indexOf(':');
  out.username = colon === -1 ? credentials : credentials.slice(0, colon);
  if (colon !== -1) out.password = credentials.slice(colon + 1);
  return out.toString();
}

/**
 * `probe` is a push that changes nothing and needs push rights (`--dry-run`, the tag onto itself);
 * semantic-release probes with the branch, which a resumed release may no longer be at the tip of.
 */
export async function gitAuthUrl(
  ctx: ExecContext,
  repositoryUrl: string,
  probe: readonly string[],
): Promise<string> {
  const url = plainUrl(repositoryUrl);
  const works = async (candidate: string) => {
    const remote = remoteFor(candidate, ctx);
    const pushed = await tryGit(ctx, ['push', '--dry-run', '--no-verify', remote.url, ...probe], remote.env);
    return pushed.ok;
  };
  if (await works(url)) return url;
  const candidates = TOKENS.flatMap(([variable, user]) => {
    const token = ctx.env[variable];
    if (!token) return [];
    ctx.redactor.add(token);
    // GitHub Actions' token needs its user name; elsewhere semantic-release gives GITHUB_TOKEN alone.
    const prefix = variable === 'GITHUB_TOKEN' && ctx.env.GITHUB_ACTION === undefined ? undefined : user;
    const authUrl = withCredentials(url, prefix ? `${prefix}:${token}` : token);
    return authUrl ? [authUrl] : [];
  });
  if (candidates.length === 1) return candidates[0]!;
  for (const candidate of candidates) if (await works(candidate)) return candidate;
  return url;
}
