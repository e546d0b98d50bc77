import { lookup } from 'node:dns/promises';
import { stackError } from '../errors.js';

/**
 * The proxy variables of the release's environment (semantic-release's `context.env`, never
 * `process.env`), in either case. The lower-case name wins when both are set, as curl and undici
 * read them; HTTPS_PROXY falls back to HTTP_PROXY for https:// URLs, as undici's EnvHttpProxyAgent
 * does.
 */
export interface ProxySettings {
  /** '' when unset: an empty value tells undici not to look at process.env itself. */
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
  /** The variable each proxy came from, for messages. */
  sources: { http?: string; https?: string };
  /** EPROXY when a variable holds something that is not a proxy URL (its proxy is then ''). */
  problem?: Error;
}

function variable(env: Record<string, string | undefined>, name: string): [string, string] | undefined {
  for (const key of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[key]?.trim();
    if (value) return [key, value];
  }
  return undefined;
}

// The proxies undici's ProxyAgent speaks to.
const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks:', 'socks5:']);
const hasScheme = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const problems: Error[] = [];
  // A value without a scheme (`proxy.corp:3128`) means http://, as curl reads it.
  const checked = (found: [string, string] | undefined): [string, string] | undefined => {
    if (!found) return undefined;
    const [name, value] = found;
    const url = parse(value);
    if (url && PROXY_SCHEMES.has(url.protocol) && url.hostname)
      return [name, hasScheme(value) ? value : `http://${value}`];
    problems.push(
      stackError('EPROXY', {
        variable: name,
        reason: 'its value is not a proxy URL like `http://proxy.example.com:3128`',
      }),
    );
    return undefined;
  };
  const http = checked(variable(env, 'http_proxy'));
  const httpsVariable = variable(env, 'https_proxy');
  const https = httpsVariable ? checked(httpsVariable) : http;
  return {
    httpProxy: http?.[1] ?? '',
    httpsProxy: https?.[1] ?? '',
    noProxy: variable(env, 'no_proxy')?.[1] ?? '',
    sources: { ...(http ? { http: http[0] } : {}), ...(https ? { https: https[0] } : {}) },
    ...(problems.length ? { problem: problems[0] } : {}),
  };
}

/** The password in a proxy URL (`http://user:password@proxy:3128`), for the redactor. */
export function proxyPasswords(settings: ProxySettings): string[] {
  return [settings.httpProxy, settings.httpsProxy].flatMap((uri) => {
    const password = parse(uri)?.password;
    return password ? [decodeURIComponent(password)] : [];
  });
}

function parse(uri: string): URL | undefined {
  if (!uri) return undefined;
  try {
    return new URL(hasScheme(uri) ? uri : `http://${uri}`);
  } catch {
    return undefined;
  }
}

/** A proxy URL fit for a message: credentials masked. */
export function displayProxy(uri: string): string {
  const url = parse(uri);
  if (!url) return uri;
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
  return `${url.protocol}//${user}${url.host}`;
}

// Failures of the connection a request opens. With a proxy in between, that connection is always
// the one to the proxy: the target is only ever reached by the proxy itself.
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface NetError {
  code?: string;
  message?: string;
  address?: string;
  hostname?: string;
  port?: number;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and every error it carries (`cause`, AggregateError's `errors`). */
function* chain(error: unknown, depth = 0): Generator<NetError> {
  if (!error || typeof error !== 'object' || depth > 6) return;
  const e = error as NetError;
  yield e;
  yield* chain(e.cause, depth + 1);
  for (const inner of Array.isArray(e.errors) ? e.errors : []) yield* chain(inner, depth + 1);
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

async function isProxyEndpoint(e: NetError, proxy: URL): Promise<boolean> {
  const host = bare(proxy.hostname);
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  if (e.hostname !== undefined && bare(e.hostname) === host) return true;
  const attempted = /attempted address: (.+):(\d+)/.exec(e.message ?? '');
  const address = e.address ?? attempted?.[1];
  const errorPort = e.port ?? (attempted ? Number(attempted[2]) : undefined);
  if (address === undefined || errorPort !== port) return false;
  if (bare(address) === host) return true;
  const resolved = await lookup(host, { all: true }).catch(() => []);
  return resolved.some((r) => r.address === bare(address));
}

/**
 * EPROXY when `error` is the failure of the proxy `url` went through (it could not be reached, or
 * refused to carry the request), naming the proxy and its variable; undefined otherwise.
 */
export async function proxyFailure(
  error: unknown,
  url: URL,
  settings: ProxySettings,
): Promise<Error | undefined> {
  const https = url.protocol === 'https:';
  const uri = https ? settings.httpsProxy : settings.httpProxy;
  const proxy = uri ? parse(uri) : undefined;
  if (!proxy) return undefined;
  const fail = (reason: string) =>
    stackError('EPROXY', {
      proxy: displayProxy(uri),
      variable: (https ? settings.sources.https : settings.sources.http) ?? 'HTTP_PROXY',
      reason,
      url: url.origin,
    });
  for (const e of chain(error)) {
    const message = e.message ?? '';
    if (/^Proxy response \(\d+\)|Proxy Authentication Required/.test(message)) return fail(message);
    if (e.code && CONNECT_CODES.has(e.code) && (await isProxyEndpoint(e, proxy))) return fail(message);
  }
  return undefined;
}
