/**
 * The web address of the repository (`https://github.com/owner/repo`) from semantic-release's
 * repositoryUrl: https, ssh and scp-like (`git@host:owner/repo.git`) forms. Credentials and ssh
 * ports are dropped; the host is kept as given (GitHub Enterprise Server works the same way).
 */
export function repositoryWebUrl(repositoryUrl: unknown): string | undefined {
  if (typeof repositoryUrl !== 'string') return undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)([^/].*?)(?:\.git)?\/?$/.exec(repositoryUrl);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    return undefined;
  }
  const web = /^(?:git\+)?(https?):$/.exec(url.protocol)?.[1];
  if (!web && !/^(?:git\+)?ssh:$/.test(url.protocol)) return undefined;
  const repoPath = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!/^\/[^/]+\/[^/]+/.test(repoPath)) return undefined;
  return `${web ?? 'https'}://${web ? url.host : url.hostname}${repoPath}`;
}
