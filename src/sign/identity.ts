import type { HttpFetch } from '../core/http.js';
import { isStackError, stackError } from '../errors.js';
import type { StepContext } from '../kind.js';
import { jwtClaims } from '../core/jwt.js';

/**
 * The keyless identity: an OIDC ID token for the audience `sigstore`, from `SIGSTORE_ID_TOKEN` or
 * from GitHub Actions' token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, present only in a job
 * with `permissions: id-token: write`). Fulcio turns it into a short-lived certificate for an
 * ephemeral key that @sigstore/sign keeps in memory. The token is registered with the redactor the
 * moment it is known; it goes into one request body (Fulcio's) and nowhere else.
 */
export const SIGSTORE_AUDIENCE = 'sigstore';

export type IdentitySource =
  { kind: 'env'; token: string } | { kind: 'actions'; requestUrl: string; requestToken: string };

type Env = StepContext['env'];

export function identitySource(env: Env): { source?: IdentitySource; error?: Error } {
  const token = env.SIGSTORE_ID_TOKEN?.trim();
  if (token) return { source: { kind: 'env', token } };
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (requestUrl && requestToken) return { source: { kind: 'actions', requestUrl, requestToken } };
  if (env.GITHUB_ACTIONS === 'true')
    return {
      error: stackError('ESIGNIDPERMISSION', {
        workflow: env.GITHUB_WORKFLOW_REF ?? env.GITHUB_WORKFLOW ?? 'the release workflow',
      }),
    };
  return { error: stackError('ESIGNNOIDENTITY') };
}

/** Why Fulcio would refuse a token, judged from its claims; undefined when it looks usable. */
export function tokenProblem(token: string, now = Date.now()): string | undefined {
  const claims = jwtClaims(token);
  if (!claims) return 'it is not a JWT (three base64url parts)';
  const aud = [claims.aud].flat();
  if (!aud.includes(SIGSTORE_AUDIENCE))
    return `its audience is ${aud.length ? aud.map(String).join(', ') : '(none)'}, not \`${SIGSTORE_AUDIENCE}\``;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now)
    return `it expired at ${new Date(claims.exp * 1000).toISOString()}`;
  if (typeof claims.iss !== 'string') return 'it names no issuer (`iss`)';
  return undefined;
}

/**
 * verifyConditions (also in dry-run): the identity source is there and, for a given token, usable.
 * Read-only: no token is requested from GitHub Actions here.
 */
export function checkIdentity(ctx: StepContext): Error[] {
  const { source, error } = identitySource(ctx.env);
  if (error) return [error];
  if (source?.kind === 'env') {
    ctx.redactor.add(source.token);
    const problem = tokenProblem(source.token);
    if (problem) return [stackError('ESIGNIDTOKEN', { source: 'SIGSTORE_ID_TOKEN', problem })];
  }
  if (source?.kind === 'actions' && !/^https?:\/\//.test(source.requestUrl))
    return [
      stackError('ESIGNIDTOKEN', {
        source: 'ACTIONS_ID_TOKEN_REQUEST_URL',
        problem: 'it is not an http(s) URL',
      }),
    ];
  return [];
}

export const describeSource = (env: Env): string => {
  const { source } = identitySource(env);
  if (source?.kind === 'env') return 'the OIDC token in SIGSTORE_ID_TOKEN';
  if (source?.kind === 'actions') return `a GitHub Actions OIDC token (audience ${SIGSTORE_AUDIENCE})`;
  return 'no OIDC token (see ESIGNNOIDENTITY)';
};

/**
 * An identity provider for @sigstore/sign's FulcioSigner: one token per signing run (each bundle
 * gets its own certificate, all for the same token), fetched on first use.
 */
export function identityProvider(
  ctx: StepContext,
  fetchImpl: HttpFetch = ctx.http.request,
): { getToken(): Promise<string> } {
  let token: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const { source, error } = identitySource(ctx.env);
    if (error) throw error;
    if (source!.kind === 'env') return source!.token;
    const { requestUrl, requestToken } = source as Extract<IdentitySource, { kind: 'actions' }>;
    ctx.redactor.add(requestToken);
    const url = new URL(requestUrl);
    url.searchParams.set('audience', SIGSTORE_AUDIENCE);
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json', authorization: `bearer ${requestToken}` },
      signal: AbortSignal.timeout(30_000),
    }).catch((e: unknown) => {
      if (isStackError(e)) throw e;
      throw stackError('ESIGNIDTOKEN', {
        source: 'ACTIONS_ID_TOKEN_REQUEST_URL',
        problem: `the request failed: ${(e as Error).message}`,
      });
    });
    const body = (await response.json().catch(() => ({}))) as { value?: unknown };
    if (!response.ok || typeof body.value !== 'string')
      throw stackError('ESIGNIDTOKEN', {
        source: 'ACTIONS_ID_TOKEN_REQUEST_URL',
        problem: `GitHub Actions answered HTTP ${response.status} without a token`,
      });
    ctx.redactor.add(body.value);
    return body.value;
  };
  return {
    getToken() {
      token ??= fetchToken();
      return token;
    },
  };
}
