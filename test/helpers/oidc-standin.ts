/**
 * An in-process stand-in for GitHub Actions' OIDC token service, and the JWT signing and checking
 * both sides of Trusted Publishing need (node:crypto only):
 * - `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=<aud>` with `Authorization: bearer
 *   <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers `{"count": 1, "value": <JWT>}`, the JWT signed with
 *   the stand-in's key (RS256 or ES256), `aud` the asked audience (GitHub's default
 *   `https://github.com/<owner>` without one), and GitHub's claims (`repository`, `job_workflow_ref`,
 *   `ref`, `sub`…). A wrong or missing bearer token gets 401, as GitHub's service answers.
 * - `issue(audience, claims)` signs an ID token directly (GitLab's `id_tokens`, for `PYPI_ID_TOKEN`).
 * - `verifyJwt(token, key)` checks a JWT's signature; the PyPI stand-in uses it with `publicKey`.
 */
import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.js';

export type JwtAlgorithm = 'RS256' | 'ES256';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface OidcStandinOptions {
  alg?: JwtAlgorithm;
  issuer?: string;
  /** The bearer token the request URL accepts (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  requestToken?: string;
  repository?: string;
  /** The workflow file the job runs (`release.yml`). */
  workflow?: string;
  ref?: string;
  environment?: string;
  lifetimeSeconds?: number;
}

export interface OidcRequest {
  url: string;
  authorization: string | undefined;
  status?: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs `payload` as a compact JWS. ES256 signatures are r‖s (JOSE), not DER. */
export function signJwt(
  payload: Record<string, unknown>,
  key: KeyObject,
  alg: JwtAlgorithm,
  kid: string,
): string {
  const input = `${b64url(JSON.stringify({ alg, kid, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** The claims of a JWT whose signature `key` verifies with its header's algorithm; else a reason. */
export function verifyJwt(
  token: string,
  key: KeyObject,
): { claims: Record<string, unknown> } | { problem: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'not a compact JWS' };
  const [header, payload, signature] = parts as [string, string, string];
  let alg: unknown;
  let claims: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    return { problem: 'undecodable header or payload' };
  }
  if (alg !== 'RS256' && alg !== 'ES256') return { problem: `unsupported alg ${String(alg)}` };
  const input = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  const ok =
    alg === 'RS256'
      ? verify('sha256', input, key, sig)
      : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, sig);
  if (!ok) return { problem: 'bad signature' };
  if (!claims || typeof claims !== 'object') return { problem: 'payload is not an object' };
  return { claims: claims as Record<string, unknown> };
}

export class OidcStandin {
  readonly alg: JwtAlgorithm;
  readonly issuer: string;
  readonly kid = randomBytes(8).toString('hex');
  readonly requestToken: string;
  /** Every ID token issued, in order. */
  readonly issued: string[] = [];
  readonly requests: OidcRequest[] = [];
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private readonly options: OidcStandinOptions;
  private server: ReturnType<typeof createServer> | undefined;
  private base = '';

  constructor(options: OidcStandinOptions = {}) {
    this.options = options;
    this.alg = options.alg ?? 'RS256';
    this.issuer = options.issuer ?? GITHUB_ISSUER;
    this.requestToken = options.requestToken ?? `actions-request-${randomBytes(12).toString('hex')}`;
    const pair =
      this.alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.privateKey);
  }

  /** GitHub's request URL carries `api-version`, so clients append `&audience=`. */
  get requestUrl(): string {
    return `${this.base}/_apis/pipelines/workflows/1/runs/1/idtoken?api-version=2.0`;
  }

  /** The two variables an Actions job with `id-token: write` has. */
  env(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken,
    };
  }

  /** An ID token as the Actions job would get it, for `audience`. */
  issue(audience: string, extra: Record<string, unknown> = {}): string {
    const repository = this.options.repository ?? 'acme/demo';
    const ref = this.options.ref ?? 'refs/heads/main';
    const workflow = this.options.workflow ?? 'release.yml';
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      sub: `repo:${repository}:${this.options.environment ? `environment:${this.options.environment}` : `ref:${ref}`}`,
      aud: audience,
      ref,
      sha: 'ffac537e6cbbf934b08745a378932722df287a53',
      repository,
      repository_owner: repository.split('/')[0],
      repository_owner_id: '4242',
      run_id: '1',
      run_attempt: '1',
      actor: 'release-bot',
      event_name: 'push',
      ref_type: 'branch',
      workflow_ref: `${repository}/.github/workflows/${workflow}@${ref}`,
      job_workflow_ref: `${repository}/.github/workflows/${workflow}@${ref}`,
      ...(this.options.environment ? { environment: this.options.environment } : {}),
      runner_environment: 'github-hosted',
      iss: this.issuer,
      nbf: now - 5,
      iat: now,
      exp: now + (this.options.lifetimeSeconds ?? 300),
      ...extra,
    };
    const token = signJwt(claims, this.privateKey, this.alg, this.kid);
    this.issued.push(token);
    return token;
  }

  async start(): Promise<{ url: string; requestUrl: string; stop(): Promise<void> }> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    this.base = await listenOnLoopback(server);
    return { url: this.base, requestUrl: this.requestUrl, stop: () => this.stop() };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const entry: OidcRequest = { url: req.url ?? '/', authorization: req.headers.authorization };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', this.base);
    if (req.method !== 'GET' || !url.pathname.endsWith('/idtoken'))
      return reply(404, { message: 'Not Found' });
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== this.requestToken) return reply(401, { message: 'Bad credentials' });
    const audience =
      url.searchParams.get('audience') ??
      `https://github.com/${(this.options.repository ?? 'acme/demo').split('/')[0]}`;
    reply(200, { count: 1, value: this.issue(audience) });
  }
}
