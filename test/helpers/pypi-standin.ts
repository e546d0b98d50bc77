/**
 * An in-process stand-in for a PyPI-compatible index (warehouse behaviour), driven by the real
 * twine:
 * - Legacy upload API: `POST /legacy/`, multipart/form-data with `:action=file_upload`,
 *   `protocol_version=1`, metadata fields (name, version, filetype, pyversion, metadata_version,
 *   md5_digest, sha256_digest, blake2_256_digest, …) and the file in `content`. HTTP Basic auth
 *   (twine sends TWINE_USERNAME/TWINE_PASSWORD, `__token__` for tokens). As warehouse:
 *   403 for bad credentials, 400 with the message as the HTTP reason phrase for invalid uploads
 *   (digest mismatch, local version, filename not matching the project), 400 "File already
 *   exists (…)" for an existing filename with other content, 200 for an identical re-upload.
 * - JSON API: `GET /pypi/<name>/json`, `GET /pypi/<name>/<version>/json` (`urls[]` with
 *   filename, digests.sha256, url, …).
 * - Simple API: `GET /simple/` and `GET /simple/<name>/` (PEP 503 HTML with `#sha256=`
 *   fragments; PEP 691 JSON when asked by Accept; non-normalized names redirect with 301).
 * - Files: `GET /files/<filename>`.
 * - Trusted Publishing (warehouse's oidc views): `GET /_/oidc/audience` → `{"audience"}` (403
 *   `{"message"}` when it is off); `POST /_/oidc/mint-token` `{"token": <ID token>}` checks the JWT's
 *   signature against the OIDC stand-in's public key, its `iss`, `aud`, `exp`/`nbf`, then looks for a
 *   trusted publisher matching its `repository`, workflow file (`job_workflow_ref`) and environment;
 *   answers `{"success": true, "token", "expires"}` (a token valid 15 minutes, scoped to the
 *   publisher's projects) or 422 `{"message": "Token request failed", "errors": [{"code",
 *   "description"}]}` with warehouse's codes (invalid-payload, invalid-token, invalid-publisher,
 *   not-enabled). Uploads accept the minted token as `__token__` until it expires.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { verifyJwt } from './oidc-standin.js';
import { INSTALL_HINTS, requirePythonModule } from './tools.js';
import { closeServer, listenOnLoopback } from './loopback-server.js';

export interface UploadedFile {
  /** Project name as uploaded. */
  name: string;
  /** PEP 503 normalized name. */
  project: string;
  version: string;
  filename: string;
  filetype: string;
  pyversion: string;
  sha256: string;
  md5: string;
  /** As sent by the client (`blake2_256_digest`), not verified; '' when absent. */
  blake2b256: string;
  content: Buffer;
  /** All form fields except `content`, as sent (repeated fields keep every value). */
  fields: Record<string, string[]>;
  uploadedAt: string;
  requiresPython: string | undefined;
  /** How the upload authenticated. */
  auth: 'password' | 'trusted-publishing';
}

export interface TrustedPublisher {
  /** `owner/repo`, the ID token's `repository` claim. */
  repository: string;
  /** The workflow file (`release.yml`) named in `job_workflow_ref`; any when absent. */
  workflow?: string;
  environment?: string;
  /** Projects (any spelling) the minted token may upload to. */
  projects: string[];
}

export interface TrustedPublishingConfig {
  /** What `/_/oidc/audience` answers (PyPI: `pypi`). */
  audience?: string;
  /** The OIDC provider's `iss`. */
  issuer: string;
  /** Its public key: ID tokens are checked against it. */
  key: KeyObject;
  publishers: TrustedPublisher[];
}

export interface MintedToken {
  token: string;
  expires: number;
  projects: string[];
  claims: Record<string, unknown>;
}

export interface PypiRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  status?: number;
  /** Form fields of an upload (without the file bytes). */
  fields?: Record<string, string[]>;
}

export interface PypiStandinOptions {
  user?: string;
  password?: string;
  trustedPublishing?: TrustedPublishingConfig;
}

export interface StartedPypi {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/legacy/` — twine's --repository-url. */
  uploadUrl: string;
  stop(): Promise<void>;
}

/** PEP 503 name normalization. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parses a multipart/form-data body (binary safe). */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new Error('multipart boundary not found');
  for (;;) {
    start += delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw new Error('unterminated multipart part');
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart part without headers');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = headers['content-disposition'] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      parts.push({
        name,
        ...(filename !== undefined ? { filename } : {}),
        ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
        data: Buffer.from(part.subarray(headerEnd + 4)),
      });
    }
    start = next + 2;
  }
  return parts;
}

/** `name-version` prefix check as warehouse does (normalized, on the file name). */
function filenameMatches(filename: string, project: string, version: string): boolean {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) {
    const [dist = '', ver = ''] = filename.split('-');
    return normalizeName(dist) === project && ver.toLowerCase() === version.toLowerCase();
  }
  const stem = filename.replace(/\.(tar\.gz|zip|tar\.bz2|tgz)$/i, '');
  const prefix = normalizeName(stem);
  return prefix === `${project}-${normalizeName(version)}` || prefix.startsWith(`${project}-`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class PypiStandin {
  readonly user: string;
  readonly password: string;
  readonly files: UploadedFile[] = [];
  readonly requests: PypiRequest[] = [];
  /** Trusted Publishing settings; tests may change the publishers between runs. */
  trustedPublishing: TrustedPublishingConfig | undefined;
  readonly minted: MintedToken[] = [];
  private failures: { count: number; status: number }[] = [];
  private server: ReturnType<typeof createServer> | undefined;
  private base = '';

  constructor(options: PypiStandinOptions = {}) {
    this.user = options.user ?? '__token__';
    this.password = options.password ?? 'pypi-test-token';
    this.trustedPublishing = options.trustedPublishing;
  }

  get url(): string {
    return this.base;
  }

  get uploadUrl(): string {
    return `${this.base}/legacy/`;
  }

  /** Answers the next `count` requests (any endpoint) with `status` (default 503). */
  failNext(count: number, status = 503): void {
    this.failures.push({ count, status });
  }

  /** Files of a project (any spelling of the name), optionally of one version. */
  filesOf(name: string, version?: string): UploadedFile[] {
    const project = normalizeName(name);
    return this.files.filter(
      (f) => f.project === project && (version === undefined || f.version === version),
    );
  }

  async start(): Promise<StartedPypi> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) this.text(res, 500, `stand-in error: ${error.message}`);
        else res.destroy(error);
      });
    });
    this.server = server;
    this.base = await listenOnLoopback(server);
    return { url: this.url, uploadUrl: this.uploadUrl, stop: () => this.stop() };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  private text(res: ServerResponse, status: number, message: string, reason?: string): void {
    res.statusCode = status;
    // warehouse puts the error message in the status line; twine/requests show `reason`.
    if (reason) res.statusMessage = reason.replace(/[^\x20-\x7e]/g, '?');
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(message);
  }

  private json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('content-length', String(Buffer.byteLength(text)));
    res.end(text);
  }

  private fileUrl(file: UploadedFile): string {
    return `${this.base}/files/${encodeURIComponent(file.filename)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const log: PypiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    this.requests.push(log);
    res.on('finish', () => (log.status = res.statusCode));

    const failure = this.failures.find((f) => f.count > 0);
    if (failure) {
      failure.count -= 1;
      this.failures = this.failures.filter((f) => f.count > 0);
      this.text(res, failure.status, 'Service Unavailable (injected by the stand-in)', 'Service Unavailable');
      return;
    }

    const url = new URL(req.url ?? '/', this.base);
    const path = url.pathname;
    if (req.method === 'POST' && /^\/legacy\/?$/.test(path)) return this.upload(req, res, body, log);
    if (req.method === 'GET' && path === '/_/oidc/audience') return this.audience(res);
    if (req.method === 'POST' && path === '/_/oidc/mint-token') return this.mintToken(res, body);
    if (req.method === 'GET' || req.method === 'HEAD') {
      let m: RegExpExecArray | null;
      if ((m = /^\/pypi\/([^/]+)\/json\/?$/.exec(path)))
        return this.projectJson(res, decodeURIComponent(m[1] ?? ''));
      if ((m = /^\/pypi\/([^/]+)\/([^/]+)\/json\/?$/.exec(path))) {
        return this.versionJson(res, decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? ''));
      }
      if (/^\/simple\/?$/.test(path)) return this.simpleRoot(req, res);
      if ((m = /^\/simple\/([^/]+)\/?$/.exec(path)))
        return this.simpleProject(req, res, decodeURIComponent(m[1] ?? ''));
      if ((m = /^\/files\/([^/]+)$/.exec(path))) {
        const file = this.files.find((f) => f.filename === decodeURIComponent(m?.[1] ?? ''));
        if (!file) return this.text(res, 404, 'Not Found', 'Not Found');
        res.statusCode = 200;
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', String(file.content.length));
        res.end(file.content);
        return;
      }
    }
    this.text(res, 404, 'Not Found', 'Not Found');
  }

  /** Who the Basic credentials are: the static account, a live minted token, or nobody. */
  private authorized(req: IncomingMessage): { auth: UploadedFile['auth']; projects?: string[] } | undefined {
    const header = String(req.headers.authorization ?? '');
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m) return undefined;
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (user === this.user && password === this.password) return { auth: 'password' };
    const minted = this.minted.find((t) => t.token === password);
    if (user === '__token__' && minted && minted.expires > Date.now() / 1000)
      return { auth: 'trusted-publishing', projects: minted.projects };
    return undefined;
  }

  private audience(res: ServerResponse): void {
    const tp = this.trustedPublishing;
    if (!tp) return this.json(res, 403, { message: 'Trusted publishing functionality not enabled' });
    this.json(res, 200, { audience: tp.audience ?? 'pypi' });
  }

  private mintToken(res: ServerResponse, body: Buffer): void {
    const invalid = (code: string, description: string) =>
      this.json(res, 422, { message: 'Token request failed', errors: [{ code, description }] });
    const tp = this.trustedPublishing;
    if (!tp) return invalid('not-enabled', 'Trusted publishing functionality not enabled');
    let token: unknown;
    try {
      token = (JSON.parse(body.toString('utf8')) as { token?: unknown }).token;
    } catch (error) {
      return invalid('invalid-payload', (error as Error).message);
    }
    if (typeof token !== 'string') return invalid('invalid-payload', 'token: Input should be a valid string');
    const verified = verifyJwt(token, tp.key);
    if ('problem' in verified) return invalid('invalid-token', 'malformed or invalid token');
    const claims = verified.claims;
    const now = Date.now() / 1000;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const timely =
      typeof claims.exp === 'number' &&
      claims.exp > now &&
      (typeof claims.nbf !== 'number' || claims.nbf <= now + 5);
    if (claims.iss !== tp.issuer || !aud.includes(tp.audience ?? 'pypi') || !timely)
      return invalid('invalid-token', 'malformed or invalid token');
    const workflowRef = String(claims.job_workflow_ref ?? '');
    const publisher = tp.publishers.find(
      (p) =>
        p.repository === claims.repository &&
        (p.workflow === undefined || workflowRef.includes(`/.github/workflows/${p.workflow}@`)) &&
        (p.environment === undefined || p.environment === claims.environment),
    );
    if (!publisher)
      return invalid(
        'invalid-publisher',
        'valid token, but no corresponding publisher (Publisher with matching claims was not found)',
      );
    const minted: MintedToken = {
      token: `pypi-minted-${randomBytes(24).toString('base64url')}`,
      expires: Math.floor(now) + 900,
      projects: publisher.projects.map(normalizeName),
      claims,
    };
    this.minted.push(minted);
    this.json(res, 200, { success: true, token: minted.token, expires: minted.expires });
  }

  private upload(req: IncomingMessage, res: ServerResponse, body: Buffer, log: PypiRequest): void {
    const bad = (message: string) => this.text(res, 400, message, message);
    const identity = this.authorized(req);
    if (!identity) {
      const message = `Invalid or non-existent authentication information. See ${this.base}/help/#invalid-auth for more information.`;
      return this.text(res, 403, message, message);
    }
    let parts: Part[];
    try {
      parts = parseMultipart(body, String(req.headers['content-type'] ?? ''));
    } catch (error) {
      return bad(`Invalid multipart body: ${(error as Error).message}`);
    }
    const fields: Record<string, string[]> = {};
    let content: Part | undefined;
    for (const part of parts) {
      if (part.name === 'content' && part.filename !== undefined) content = part;
      else (fields[part.name] ??= []).push(part.data.toString('utf8'));
    }
    log.fields = fields;
    const field = (name: string) => fields[name]?.[0];
    if (field(':action') !== 'file_upload') return bad(`Unknown :action ${field(':action') ?? '(none)'}`);
    if (field('protocol_version') !== undefined && field('protocol_version') !== '1') {
      return bad('Unknown protocol version.');
    }
    const name = field('name');
    const version = field('version');
    const filetype = field('filetype');
    if (!name) return bad('Invalid value for name. Error: This field is required.');
    if (!version) return bad('Invalid value for version. Error: This field is required.');
    if (!filetype) return bad('Invalid value for filetype. Error: This field is required.');
    if (!content || !content.filename) return bad('Upload payload does not have a file.');
    if (version.includes('+')) {
      return bad(
        `The use of local versions in <Version('${version}')> is not allowed. See ${this.base}/help/#local-versions for more information.`,
      );
    }
    const filename = content.filename;
    const project = normalizeName(name);
    if (identity.projects && !identity.projects.includes(project)) {
      const message = `Invalid API Token: project-scoped token is not valid for project: '${project}'`;
      return this.text(res, 403, message, message);
    }
    if (!filenameMatches(filename, project, version)) {
      return bad(`Start filename for '${name}' with '${name.replace(/[-.]+/g, '_')}-${version}'.`);
    }
    const data = content.data;
    const sha256 = createHash('sha256').update(data).digest('hex');
    const md5 = createHash('md5').update(data).digest('hex');
    // BLAKE2b-256 is not BLAKE2b-512 truncated and node's crypto has no variable-length BLAKE2b:
    // the client's own `blake2_256_digest` is kept as is (not verified).
    const blake2b256 = (field('blake2_256_digest') ?? '').toLowerCase();
    const sentSha = field('sha256_digest');
    const sentMd5 = field('md5_digest');
    if ((sentSha && sentSha.toLowerCase() !== sha256) || (sentMd5 && sentMd5.toLowerCase() !== md5)) {
      return bad('The digest supplied does not match a digest calculated from the uploaded file.');
    }
    const existing = this.files.find((f) => f.filename === filename);
    if (existing) {
      if (existing.sha256 === sha256) return this.text(res, 200, 'OK', 'OK');
      return bad(
        `File already exists ('${filename}', with blake2_256 hash '${existing.blake2b256}'). See ${this.base}/help/#file-name-reuse for more information.`,
      );
    }
    this.files.push({
      name,
      project,
      version,
      filename,
      filetype,
      pyversion: field('pyversion') ?? 'source',
      sha256,
      md5,
      blake2b256,
      content: Buffer.from(data),
      fields,
      uploadedAt: new Date().toISOString(),
      requiresPython: field('requires_python') || undefined,
      auth: identity.auth,
    });
    this.text(res, 200, 'OK', 'OK');
  }

  private urlEntry(file: UploadedFile): Record<string, unknown> {
    return {
      filename: file.filename,
      packagetype: file.filetype,
      python_version: file.pyversion,
      digests: {
        md5: file.md5,
        sha256: file.sha256,
        ...(file.blake2b256 ? { blake2b_256: file.blake2b256 } : {}),
      },
      md5_digest: file.md5,
      size: file.content.length,
      upload_time_iso_8601: file.uploadedAt,
      url: this.fileUrl(file),
      yanked: false,
      yanked_reason: null,
      requires_python: file.requiresPython ?? null,
    };
  }

  private info(files: UploadedFile[], version: string): Record<string, unknown> {
    const first = files[0];
    const f = (key: string) => first?.fields[key]?.[0] ?? null;
    return {
      name: first?.name ?? null,
      version,
      summary: f('summary'),
      license: f('license'),
      requires_python: first?.requiresPython ?? null,
      home_page: f('home_page'),
      project_url: `${this.base}/project/${first?.project ?? ''}/`,
    };
  }

  private projectJson(res: ServerResponse, name: string): void {
    const files = this.filesOf(name);
    if (files.length === 0) return this.json(res, 404, { message: 'Not Found' });
    const releases: Record<string, unknown[]> = {};
    for (const file of files) (releases[file.version] ??= []).push(this.urlEntry(file));
    const latest = files.at(-1)?.version ?? '';
    const latestFiles = files.filter((x) => x.version === latest);
    this.json(res, 200, {
      info: this.info(latestFiles, latest),
      last_serial: this.files.length,
      releases,
      urls: latestFiles.map((x) => this.urlEntry(x)),
      vulnerabilities: [],
    });
  }

  private versionJson(res: ServerResponse, name: string, version: string): void {
    let files = this.filesOf(name, version);
    if (files.length === 0)
      files = this.filesOf(name).filter((x) => x.version.toLowerCase() === version.toLowerCase());
    if (files.length === 0) return this.json(res, 404, { message: 'Not Found' });
    this.json(res, 200, {
      info: this.info(files, files[0]?.version ?? version),
      last_serial: this.files.length,
      urls: files.map((x) => this.urlEntry(x)),
      vulnerabilities: [],
    });
  }

  private wantsJson(req: IncomingMessage): boolean {
    return /application\/vnd\.pypi\.simple\.v1\+json/.test(String(req.headers.accept ?? ''));
  }

  private simpleRoot(req: IncomingMessage, res: ServerResponse): void {
    const projects = [...new Set(this.files.map((f) => f.project))].sort();
    if (this.wantsJson(req)) {
      return this.json(
        res,
        200,
        { meta: { 'api-version': '1.0' }, projects: projects.map((name) => ({ name })) },
        'application/vnd.pypi.simple.v1+json',
      );
    }
    const links = projects.map((p) => `<a href="/simple/${p}/">${escapeHtml(p)}</a><br/>`).join('\n');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>Simple index</title></head><body>\n${links}\n</body></html>\n`,
    );
  }

  private simpleProject(req: IncomingMessage, res: ServerResponse, name: string): void {
    const project = normalizeName(name);
    if (project !== name) {
      res.statusCode = 301;
      res.setHeader('location', `/simple/${project}/`);
      res.end();
      return;
    }
    const files = this.filesOf(project);
    if (files.length === 0) return this.text(res, 404, 'Not Found', 'Not Found');
    if (this.wantsJson(req)) {
      return this.json(
        res,
        200,
        {
          meta: { 'api-version': '1.0' },
          name: project,
          files: files.map((f) => ({
            filename: f.filename,
            url: this.fileUrl(f),
            hashes: { sha256: f.sha256 },
            ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
          })),
        },
        'application/vnd.pypi.simple.v1+json',
      );
    }
    const links = files
      .map((f) => {
        const rp = f.requiresPython ? ` data-requires-python="${escapeHtml(f.requiresPython)}"` : '';
        return `<a href="${escapeHtml(this.fileUrl(f))}#sha256=${f.sha256}"${rp}>${escapeHtml(f.filename)}</a><br/>`;
      })
      .join('\n');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>Links for ${escapeHtml(
        project,
      )}</title></head><body>\n<h1>Links for ${escapeHtml(project)}</h1>\n${links}\n</body></html>\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Driving the real Debian tools (/usr/bin/python3 -m build, -m twine).

/** Env for a Python tool: no proxies, no user config (HOME is a temp dir), no keyring. */
function pythonEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    NO_PROXY: '*',
    // twine prints with rich: no colours, no wrapping at 80 columns.
    NO_COLOR: '1',
    TERM: 'dumb',
    COLUMNS: '200',
  };
  return { ...env, ...extra };
}

/**
 * Builds a wheel with `/usr/bin/python3 -m build --wheel --no-isolation` from a tiny temporary
 * setuptools project; returns the wheel path (the caller removes `dir`).
 */
export async function buildTinyWheel(options: {
  name: string;
  version: string;
  /** Extra module text, to make different bytes for the same file name. */
  body?: string;
}): Promise<{ dir: string; wheel: string }> {
  const python = await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('setuptools', INSTALL_HINTS.build);
  const dir = await mkdtemp(join(tmpdir(), 'srs-wheel-'));
  const module = options.name.replace(/[-.]+/g, '_').toLowerCase();
  await mkdir(join(dir, 'src', module), { recursive: true });
  await writeFile(
    join(dir, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      '',
      '[project]',
      `name = "${options.name}"`,
      `version = "${options.version}"`,
      'description = "semantic-release-stack test package"',
      'requires-python = ">=3.8"',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'src', module, '__init__.py'),
    `VALUE = ${JSON.stringify(options.body ?? 'x')}\n`,
  );
  const result = await execa(python, ['-m', 'build', '--wheel', '--no-isolation', '--outdir', 'dist'], {
    cwd: dir,
    env: pythonEnv(dir, { SOURCE_DATE_EPOCH: '1700000000' }),
    extendEnv: false,
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`python -m build failed:\n${result.all}`);
  }
  const wheels = (await readdir(join(dir, 'dist'))).filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1) throw new Error(`expected one wheel in ${dir}/dist, got ${wheels.join(', ')}`);
  return { dir, wheel: join(dir, 'dist', wheels[0] as string) };
}

/**
 * `/usr/bin/python3 -m twine upload --repository-url <url> --non-interactive <files>`, the
 * credentials in TWINE_USERNAME/TWINE_PASSWORD only. Never throws on a twine failure.
 */
export async function twineUpload(
  files: string[],
  options: { repositoryUrl: string; username: string; password: string; args?: string[] },
) {
  const python = await requirePythonModule('twine', INSTALL_HINTS.twine);
  const home = await mkdtemp(join(tmpdir(), 'srs-twine-home-'));
  try {
    const result = await execa(
      python,
      [
        '-m',
        'twine',
        'upload',
        '--repository-url',
        options.repositoryUrl,
        '--non-interactive',
        '--disable-progress-bar',
        ...(options.args ?? []),
        ...files,
      ],
      {
        env: pythonEnv(home, { TWINE_USERNAME: options.username, TWINE_PASSWORD: options.password }),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: 120_000,
      },
    );
    return { code: result.exitCode ?? -1, output: String(result.all) };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
