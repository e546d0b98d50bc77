import { parseChallenges, type Challenge } from './challenge.js';
import { discard, httpError, OciError } from './errors.js';
import type { HttpFetch, HttpResponse } from '../core/http.js';
import { isStackError } from '../errors.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthOptions {
  host: string;
  credentials: Credentials | undefined;
  fetch: HttpFetch;
  timeoutMs: number;
}

/**
 * The `Authorization` header for a registry, learnt from its `WWW-Authenticate` challenge: Basic
 * with the credentials, or the Bearer flow (the token endpoint asked for the call's scope, with
 * Basic credentials or anonymously). Tokens are kept per scope.
 */
export interface Authenticator {
  /** The header to send for `scope` (`repository:org/app:pull,push`, or '' for `/v2/`), if known. */
  header(scope: string): string | undefined;
  /** Answers a 401: returns the header to retry with, or throws OciError('auth'). */
  answer(unauthorized: HttpResponse, scope: string, what: string): Promise<string>;
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  const { host, credentials } = options;
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined;
  let challenge: Challenge | undefined;
  const tokens = new Map<string, string>();

  const header = (scope: string): string | undefined => {
    if (challenge?.scheme === 'basic') return basic;
    const token = challenge?.scheme === 'bearer' ? tokens.get(scope) : undefined;
    return token ? `Bearer ${token}` : undefined;
  };

  async function fetchToken(c: Challenge, scope: string): Promise<void> {
    if (!c.params.realm)
      throw new OciError(`${host} asked for a Bearer token without naming a realm`, 'auth', 401);
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    if (scope) url.searchParams.set('scope', scope);
    const headers: Record<string, string> = basic ? { authorization: basic } : {};
    const response = await options
      .fetch(url, { headers, timeoutMs: options.timeoutMs })
      .catch((error: unknown) => {
        if (isStackError(error)) throw error;
        throw new OciError(
          `token request to ${url.host} for ${host} failed: ${(error as Error).message}`,
          'network',
          0,
        );
      });
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw new OciError(
        `${host} refused the credentials (token endpoint ${url.host} answered ${response.status})`,
        'auth',
        response.status,
      );
    }
    if (!response.ok) throw await httpError(response, `GET token ${url.host}${url.pathname}`, host);
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new OciError(`the token endpoint of ${host} returned no token`, 'auth', response.status);
    tokens.set(scope, token);
  }

  return {
    header,
    async answer(unauthorized, scope, what) {
      const offered = parseChallenges(unauthorized.headers.get('www-authenticate'));
      await discard(unauthorized);
      const next = offered.find((c) => c.scheme === 'bearer') ?? offered.find((c) => c.scheme === 'basic');
      if (!next)
        throw new OciError(
          `${what}: ${host} answered 401 without a challenge this client knows`,
          'auth',
          401,
        );
      if (next.scheme === 'basic' && !basic)
        throw new OciError(`${host} needs credentials and none were given`, 'auth', 401);
      const before = header(scope);
      challenge = next;
      if (next.scheme === 'bearer') await fetchToken(next, scope);
      const after = header(scope);
      if (!after || after === before)
        throw new OciError(`${host} refused the credentials for ${what}`, 'auth', 401);
      return after;
    },
  };
}
