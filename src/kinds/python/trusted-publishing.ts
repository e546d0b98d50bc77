import type { HttpFetch, HttpInit, HttpResponse } from '../../core/http.js';
import type { RetryPolicy } from '../../core/retry.js';
import type { StepContext } from '../../kind.js';
import { stackError } from './errors.js';
import type { IdTokenSource, PypiCredentials } from './config.js';
import type { IndexClientOptions } from './pypi-index.js';
import { jwtClaims } from '../../core/jwt.js';

/**
 * PyPI's Trusted Publishing: the index names the audience it accepts (`GET /_/oidc/audience`), the CI
 * system issues an ID token for it, and the index exchanges that token for an upload token that lives
 * about 15 minutes (`POST /_/oidc/mint-token`). The exchange is done right before an upload, never in
 * verifyConditions; the upload token only ever reaches twine's environment and the redactor.
 */
export type OidcClientOptions = Partial<
  Pick<IndexClientOptions, 'fetch' | 'sleep' | 'random' | 'timeoutMs'>
> & {
  now?: () => number;
};

/** The options with the HTTP client every request goes through (the step's, unless a test gives one). */
type Sending = OidcClientOptions & { fetch: HttpFetch };

type Context = Pick<StepContext, 'env' | 'logger' | 'redactor' | 'http'>;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Where the exchange lives for an upload URL: upload.pypi.org mints at pypi.org. */
export function exchangeOrigin(uploadUrl: string): { origin: string } | { problem: string } {
  const url = new URL(uploadUrl);
  if (url.hostname === 'upload.pypi.org') return { origin: 'https://pypi.org' };
  if (url.hostname === 'test.pypi.org') return { origin: 'https://test.pypi.org' };
  // An upload token sent in clear text could be replayed by anyone on the path.
  if (url.protocol !== 'https:' && !LOOPBACK.test(url.hostname)) {
    return {
      problem: `${url.origin} is plain HTTP; the token exchange needs https (plain HTTP only on loopback)`,
    };
  }
  return { origin: url.origin };
}

const oidcError = (url: string, reason: string, fix?: string) =>
  stackError('EPYPIOIDC', { url, reason, ...(fix ? { fix } : {}) });

async function send(url: string, init: HttpInit, o: Sending): Promise<HttpResponse> {
  const policy: RetryPolicy = {
    attempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.random ? { random: o.random } : {}),
  };
  // Minting twice only gives two short-lived tokens, so the exchange is retried like the GETs.
  return o.fetch(url, { ...init, retry: policy, timeoutMs: o.timeoutMs ?? 30_000 });
}

async function jsonOf(response: HttpResponse): Promise<Record<string, unknown> | undefined> {
  try {
    const data = (await response.json()) as unknown;
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const answerOf = (status: number, body: Record<string, unknown> | undefined) =>
  `HTTP ${status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}`;

/** The audience the index wants ID tokens for. */
export async function indexAudience(origin: string, o: Sending): Promise<string> {
  const url = `${origin}/_/oidc/audience`;
  let response: HttpResponse;
  try {
    response = await send(url, { headers: { Accept: 'application/json' } }, o);
  } catch (error) {
    throw oidcError(url, `it cannot be reached (${(error as Error).message})`);
  }
  const body = await jsonOf(response);
  if (response.status === 200 && typeof body?.audience === 'string' && body.audience) return body.audience;
  const reason =
    response.status === 200
      ? 'its answer has no `audience`'
      : `it answers ${answerOf(response.status, body)}`;
  throw oidcError(
    url,
    `the index does not offer Trusted Publishing (${reason})`,
    'Use an index that supports it, or set `PYPI_TOKEN`.',
  );
}

/** Why a ready ID token cannot be exchanged for `audience`, if it cannot. */
export function idTokenProblem(token: string, audience: string, now = Date.now()): string | undefined {
  const claims = jwtClaims(token);
  if (!claims) return '`PYPI_ID_TOKEN` is not a JWT';
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience))
    return `\`PYPI_ID_TOKEN\` is for the audience ${JSON.stringify(claims.aud)}, not \`${audience}\``;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) return '`PYPI_ID_TOKEN` has expired';
  return undefined;
}

/** An ID token from GitHub Actions' OIDC provider for `audience`. */
async function actionsIdToken(ctx: Context, audience: string, o: Sending): Promise<string> {
  const request = new URL(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  request.searchParams.set('audience', audience);
  const where = `${request.origin}${request.pathname}`;
  let response: HttpResponse;
  try {
    response = await send(
      request.href,
      {
        headers: {
          Authorization: `bearer ${ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
          Accept: 'application/json',
        },
      },
      o,
    );
  } catch (error) {
    throw oidcError(
      where,
      `GitHub Actions' ID token service cannot be reached (${ctx.redactor.redact((error as Error).message)})`,
    );
  }
  const body = await jsonOf(response);
  if (response.status !== 200 || typeof body?.value !== 'string') {
    throw oidcError(where, `GitHub Actions did not issue an ID token (${answerOf(response.status, body)})`);
  }
  ctx.redactor.add(body.value);
  return body.value;
}

/** What the index says when it refuses an exchange: `errors[]` of `{code, description}`. */
function refusalOf(body: Record<string, unknown> | undefined): string {
  const errors = Array.isArray(body?.errors) ? (body.errors as Array<Record<string, unknown>>) : [];
  const described = errors.map((e) => `${String(e.code ?? 'error')}: ${String(e.description ?? '')}`);
  return described.length ? described.join('; ') : '(no reasons given)';
}

/** Claims that tell a person which trusted publisher the index looked for. */
function claimSummary(token: string): string | undefined {
  const claims = jwtClaims(token);
  if (!claims) return undefined;
  const shown = ['iss', 'sub', 'repository', 'job_workflow_ref', 'environment', 'project_path', 'ref_path']
    .filter((key) => typeof claims[key] === 'string')
    .map((key) => `${key} \`${String(claims[key])}\``);
  return shown.length ? shown.join(', ') : undefined;
}

async function mint(origin: string, idToken: string, ctx: Context, tag: string, o: Sending) {
  const url = `${origin}/_/oidc/mint-token`;
  let response: HttpResponse;
  try {
    response = await send(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ token: idToken }),
      },
      o,
    );
  } catch (error) {
    throw oidcError(
      url,
      `the token exchange cannot be reached (${ctx.redactor.redact((error as Error).message)})`,
    );
  }
  const body = await jsonOf(response);
  if (response.status === 200 && typeof body?.token === 'string' && body.token) {
    ctx.redactor.add(body.token);
    ctx.redactor.add(`__token__:${body.token}`);
    return { token: body.token, expires: typeof body.expires === 'number' ? body.expires : undefined };
  }
  if (response.status === 422 || (response.status < 500 && Array.isArray(body?.errors))) {
    throw stackError('EPYPIOIDCREFUSED', {
      url,
      reason: typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`,
      errors: ctx.redactor.redact(refusalOf(body)),
      claims: claimSummary(idToken),
      tag,
    });
  }
  throw oidcError(url, `the token exchange answered ${answerOf(response.status, body)}`);
}

/**
 * Mints an upload token for `uploadUrl` from the job's ID token; every token on the way is
 * registered with the redactor before it could reach a log.
 */
export async function mintUploadToken(
  uploadUrl: string,
  source: IdTokenSource,
  ctx: Context & { tag: string },
  options: OidcClientOptions = {},
): Promise<PypiCredentials> {
  const o: Sending = { fetch: ctx.http.request, ...options };
  const exchange = exchangeOrigin(uploadUrl);
  if ('problem' in exchange) throw oidcError(uploadUrl, exchange.problem);
  const audience = await indexAudience(exchange.origin, o);
  const idToken =
    source === 'PYPI_ID_TOKEN' ? ctx.env.PYPI_ID_TOKEN! : await actionsIdToken(ctx, audience, o);
  const { token, expires } = await mint(exchange.origin, idToken, ctx, ctx.tag, o);
  ctx.logger.log(
    'Minted an upload token at %s through Trusted Publishing (ID token from %s)%s',
    exchange.origin,
    source,
    expires ? `, valid until ${new Date(expires * 1000).toISOString()}` : '',
  );
  return { username: '__token__', password: token, source: `Trusted Publishing (${source})` };
}

/**
 * verifyConditions, read-only: the exchange can be reached over a safe scheme, the index offers
 * Trusted Publishing (it names an audience), and a ready ID token is for that audience and unexpired.
 */
export async function checkTrustedPublishing(
  uploadUrl: string,
  source: IdTokenSource,
  ctx: Context,
  options: OidcClientOptions = {},
): Promise<Error[]> {
  const o: Sending = { fetch: ctx.http.request, ...options };
  const exchange = exchangeOrigin(uploadUrl);
  if ('problem' in exchange) return [oidcError(uploadUrl, exchange.problem)];
  let audience: string;
  try {
    audience = await indexAudience(exchange.origin, o);
  } catch (error) {
    return [error as Error];
  }
  if (source === 'PYPI_ID_TOKEN') {
    const problem = idTokenProblem(ctx.env.PYPI_ID_TOKEN!, audience, (o.now ?? Date.now)());
    if (problem) {
      return [
        oidcError(
          uploadUrl,
          problem,
          `Request the ID token for the audience \`${audience}\` (GitLab: \`id_tokens: PYPI_ID_TOKEN: aud: ${audience}\`).`,
        ),
      ];
    }
  }
  ctx.logger.log(
    '%s offers Trusted Publishing (audience %s); the upload token is minted right before the upload, from %s.',
    exchange.origin,
    audience,
    source,
  );
  return [];
}
