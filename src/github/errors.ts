/**
 * Reading Octokit's failures without loading Octokit (src/github/client.ts is imported only when a
 * GitHub call is made).
 */

/** An Octokit failure in one line: method, URL (never a token), status and GitHub's message. */
export function describeGithubError(error: unknown): string {
  const e = error as {
    status?: number;
    message?: string;
    request?: { method?: string; url?: string };
    response?: { data?: unknown };
  };
  if (typeof e?.status !== 'number' || !e.request || !e.response) return String(e?.message ?? error);
  const data = e.response.data as { message?: unknown } | undefined;
  const reason = typeof data?.message === 'string' ? data.message : '';
  return `${e.request.method} ${e.request.url}: HTTP ${e.status}${reason ? ` (${reason})` : ''}`;
}

/** The HTTP status of an Octokit failure; undefined when GitHub did not answer. */
export function githubStatus(error: unknown): number | undefined {
  const e = error as { response?: unknown; status?: unknown } | undefined;
  return e?.response && typeof e.status === 'number' ? e.status : undefined;
}
