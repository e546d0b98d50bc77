import type { HttpFetch } from '../../core/http.js';
import { retryAfterMs, type RetryPolicy } from '../../core/retry.js';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';

/**
 * Read-only questions to a package index: which files does this version already have? Answered by
 * PyPI's JSON API (`/pypi/<name>/<version>/json`) where the index has one, else by the simple API
 * (PEP 503 HTML or PEP 691 JSON, hashes in `#sha256=` fragments). Only these GETs are retried.
 */

export interface IndexFile {
  filename: string;
  /** Lower-case hex; undefined when the index does not say. */
  sha256: string | undefined;
}

export interface IndexLookup {
  files: IndexFile[];
  /** The URL that answered. */
  source: string;
}

export interface IndexClientOptions {
  /** The step's HTTP client (`ctx.http.request`); it retries under the policy below. */
  fetch: HttpFetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per GET, first one included (default 4). */
  attempts?: number;
  baseDelayMs?: number;
  /** Longest wait between tries; a Retry-After asking for more ends the retries (default 30 s). */
  maxDelayMs?: number;
  timeoutMs?: number;
  /** `Authorization` header value, sent only to the upload URL's own origin (a private index). */
  authorization?: string;
}

export interface IndexEndpoints {
  json: string;
  simple: string;
  /** Where a person looks at the release. */
  project: string;
}

const PYPI_HOSTS = new Set(['pypi.org', 'test.pypi.org']);

/** PEP 503 normalised project name, as index URLs spell it. */
export const indexProjectName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** The read-only endpoints that belong to a legacy upload URL (upload.pypi.org answers on pypi.org). */
export function indexEndpoints(uploadUrl: string, distName: string, version: string): IndexEndpoints {
  const upload = new URL(uploadUrl);
  const origin = upload.hostname === 'upload.pypi.org' ? 'https://pypi.org' : upload.origin;
  const name = encodeURIComponent(indexProjectName(distName));
  const simple = `${origin}/simple/${name}/`;
  const isPypi = PYPI_HOSTS.has(new URL(origin).hostname);
  return {
    json: `${origin}/pypi/${name}/${encodeURIComponent(version)}/json`,
    simple,
    project: isPypi ? `${origin}/project/${name}/${encodeURIComponent(version)}/` : simple,
  };
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

async function get(url: string, accept: string, version: string, o: IndexClientOptions): Promise<Answer> {
  let tries = 1;
  const policy: RetryPolicy = {
    attempts: o.attempts ?? 4,
    baseDelayMs: o.baseDelayMs ?? 1000,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.random ? { random: o.random } : {}),
    onRetry: (attempt) => (tries = attempt + 1),
  };
  const headers: Record<string, string> = { Accept: accept };
  if (o.authorization) headers.Authorization = o.authorization;
  const fail = (reason: string) => stackError('EPYPIINDEX', { url, version, reason, attempts: tries });
  const response = await o
    .fetch(url, { headers, retry: policy, timeoutMs: o.timeoutMs ?? 30_000 })
    .catch((error: unknown) => {
      if (isStackError(error)) throw error;
      throw fail((error as Error).message);
    });
  // 404 is an answer ("no such project or version"); any other failure is the lookup's.
  if (response.ok || response.status === 404) {
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  }
  await response.body?.cancel();
  const asked = retryAfterMs(response.headers.get('retry-after'));
  const tooLong = asked !== undefined && asked > policy.maxDelayMs;
  throw fail(
    `HTTP ${response.status}${tooLong ? `, and the index asks to wait ${Math.ceil(asked / 1000)} s` : ''}`,
  );
}

/** Files of one version in a JSON API answer; undefined when the body is not one. */
export function parseJsonApi(body: string): IndexFile[] | undefined {
  try {
    const data = JSON.parse(body) as { urls?: Array<{ filename?: unknown; digests?: { sha256?: unknown } }> };
    if (!Array.isArray(data.urls)) return undefined;
    return data.urls
      .filter((u) => typeof u.filename === 'string')
      .map((u) => ({ filename: u.filename as string, sha256: hexOrUndefined(u.digests?.sha256) }));
  } catch {
    return undefined;
  }
}

const hexOrUndefined = (v: unknown) =>
  typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : undefined;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const decodeEntities = (s: string) =>
  s.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(\w+));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec ?? hex) return String.fromCodePoint(parseInt((dec ?? hex)!, dec ? 10 : 16));
    return NAMED_ENTITIES[name!] ?? whole;
  });

/** Files on a simple API project page: PEP 691 JSON or PEP 503 HTML. */
export function parseSimple(body: string, contentType: string): IndexFile[] {
  if (contentType.includes('json')) {
    const data = JSON.parse(body) as { files?: Array<{ filename?: unknown; hashes?: { sha256?: unknown } }> };
    return (data.files ?? [])
      .filter((f) => typeof f.filename === 'string')
      .map((f) => ({ filename: f.filename as string, sha256: hexOrUndefined(f.hashes?.sha256) }));
  }
  const files: IndexFile[] = [];
  for (const match of body.matchAll(/<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([^<]*)<\/a>/gi)) {
    const href = decodeEntities(match[1] ?? match[2] ?? '');
    const [location = '', fragment = ''] = href.split('#', 2);
    const fromUrl = decodeURIComponent(location.split('?')[0]!.split('/').at(-1) ?? '');
    const filename = fromUrl || decodeEntities(match[3]!.trim());
    files.push({ filename, sha256: hexOrUndefined(/(?:^|&)sha256=([^&]*)/.exec(fragment)?.[1]) });
  }
  return files;
}

const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

/** Which files the index has for `distName` `version`; none when it does not know the project. */
export async function existingFiles(
  uploadUrl: string,
  distName: string,
  version: string,
  options: IndexClientOptions,
): Promise<IndexLookup> {
  const endpoints = indexEndpoints(uploadUrl, distName, version);
  const uploadOrigin = new URL(uploadUrl).origin;
  const optionsFor = (url: string) =>
    new URL(url).origin === uploadOrigin ? options : { ...options, authorization: undefined };

  const json = await get(endpoints.json, 'application/json', version, optionsFor(endpoints.json));
  const fromJson = json.status === 200 ? parseJsonApi(json.body) : undefined;
  if (fromJson) return { files: fromJson, source: endpoints.json };

  const simple = await get(endpoints.simple, SIMPLE_ACCEPT, version, optionsFor(endpoints.simple));
  if (simple.status === 404) return { files: [], source: endpoints.simple };
  try {
    return { files: parseSimple(simple.body, simple.contentType), source: endpoints.simple };
  } catch (error) {
    throw stackError('EPYPIINDEX', {
      url: endpoints.simple,
      version,
      reason: `unreadable answer (${(error as Error).message})`,
      attempts: 1,
    });
  }
}
