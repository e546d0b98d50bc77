/**
 * A Sigstore stand-in on loopback: @sigstore/mock's Fulcio, Rekor (v1 API) and timestamp authority
 * served over real HTTP, the trusted root built from their keys, a test OIDC issuer whose signed ID
 * tokens the mock Fulcio accepts, and a stand-in for GitHub Actions' ID token endpoint. The real
 * @sigstore/sign and @sigstore/verify talk to it unchanged.
 *
 * Two departures from the mocks as shipped, each where the mock differs from the real service:
 * - Rekor stores a `dsse` entry in a canonical form (envelope and payload hashes, each signature
 *   with its verifier), not as proposed; the mock logs what it is sent, so a DSSE bundle would fail
 *   "signature count mismatch". The server rewrites a proposed dsse entry into the stored form first.
 * - The mock TSA writes its time with the milliseconds' trailing zeros dropped (`.5`), which
 *   @sigstore/core refuses (it wants three digits): such an answer is thrown away and asked again.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  tsaHandler,
} from '@sigstore/mock';
import { RFC3161Timestamp } from '@sigstore/core';
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** GitHub Actions' issuer: what the tests' ID tokens claim, and what verify pins by default. */
export const ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

export interface IdTokenClaims {
  /** Becomes the certificate's SAN (the real Fulcio takes `job_workflow_ref` for Actions tokens). */
  sub: string;
  iss?: string;
  aud?: string;
  /** Seconds from now (negative for an expired token). */
  expiresIn?: number;
  [claim: string]: unknown;
}

export interface SigstoreStandin {
  url: string;
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl: string;
  /** The trusted root of this instance (protobuf JSON, as `--trusted-root` reads it). */
  trustedRoot: Record<string, unknown>;
  writeTrustedRoot(file: string): Promise<void>;
  /** A signed ID token for `claims`. */
  idToken(claims: IdTokenClaims): Promise<string>;
  /** Requests the services answered, in order (`POST /api/v2/signingCert` …). */
  requests: Array<{ method: string; path: string; body: string; headers: IncomingMessage['headers'] }>;
  /** Rekor entries as logged (after the dsse rewrite). */
  entries: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface ActionsTokenStandin {
  /** ACTIONS_ID_TOKEN_REQUEST_URL (a query already on it, as GitHub's has). */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** Audiences asked for, in order. */
  audiences: string[];
  stop(): Promise<void>;
}

const ecKeyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const derOf = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });
const base64Of = (view: ArrayBufferView) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');

/** Rekor's stored form of a dsse v0.0.1 entry (rekor pkg/types/dsse/v0.0.1 Canonicalize). */
export function canonicalDsseEntry(proposed: Record<string, unknown>): Record<string, unknown> {
  const spec = proposed.spec as { proposedContent?: { envelope: string; verifiers: string[] } };
  if (proposed.kind !== 'dsse' || !spec.proposedContent) return proposed;
  const envelope = JSON.parse(spec.proposedContent.envelope) as {
    payload: string;
    signatures: Array<{ sig: string }>;
  };
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256Hex(spec.proposedContent.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256Hex(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: spec.proposedContent!.verifiers[i] ?? spec.proposedContent!.verifiers[0],
      })),
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((error as Error).stack ?? error));
    });
  });
  return new Promise<{ url: string; stop: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Whether @sigstore/core reads the time of a timestamp response (three fraction digits or none). */
function timestampParses(response: Buffer): boolean {
  try {
    return !Number.isNaN(RFC3161Timestamp.parse(Buffer.from(response)).signingTime.getTime());
  } catch {
    return false;
  }
}

export async function startSigstore(): Promise<SigstoreStandin> {
  const caKeys = ecKeyPair();
  const tlogKeys = ecKeyPair();
  const tsaKeys = ecKeyPair();
  const ctlog = await initializeCTLog(caKeys);
  const ca = await initializeCA(caKeys, ctlog);
  const fulcio = fulcioHandler(ca);
  const tsaAuthority = await initializeTSA(tsaKeys);
  const tsa = tsaHandler(tsaAuthority);
  const issuerKeys = await generateKeyPair('ES256');
  const requests: SigstoreStandin['requests'] = [];
  const entries: SigstoreStandin['entries'] = [];
  const log: { tlog?: Awaited<ReturnType<typeof initializeTLog>> } = {};

  const send = (res: ServerResponse, status: number, body: string | Uint8Array, type: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

  const server = await listen(async (req, res) => {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? 'GET', path, body, headers: req.headers });
    if (req.method === 'POST' && path === '/api/v2/signingCert') {
      const answer = await fulcio.fn(body);
      return send(res, answer.statusCode, answer.response as string, answer.contentType ?? 'text/plain');
    }
    if (req.method === 'POST' && path === '/api/v1/log/entries') {
      const entry = canonicalDsseEntry(JSON.parse(body) as Record<string, unknown>);
      entries.push(entry);
      return send(res, 201, JSON.stringify(await log.tlog!.log(entry)), 'application/json');
    }
    if (req.method === 'POST' && path === '/api/v1/timestamp') {
      for (let attempt = 1; ; attempt++) {
        const answer = await tsa.fn(body);
        const bytes = Buffer.from(answer.response as Uint8Array);
        if (answer.statusCode !== 201 || timestampParses(bytes) || attempt === 20)
          return send(res, answer.statusCode, bytes, answer.contentType ?? 'application/timestamp-reply');
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    }
    if (req.method === 'GET' && path === '/oidc/.well-known/openid-configuration') {
      const config = { issuer: `${server.url}/oidc`, jwks_uri: `${server.url}/oidc/jwks` };
      return send(res, 200, JSON.stringify(config), 'application/json');
    }
    if (req.method === 'GET' && path === '/oidc/jwks') {
      const jwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
      return send(res, 200, JSON.stringify({ keys: [jwk] }), 'application/json');
    }
    send(res, 404, 'not found', 'text/plain');
  });
  // The log's checkpoints name its host, so it is made once the port is known.
  log.tlog = await initializeTLog(server.url, tlogKeys);

  const start = new Date(Date.now() - 60_000);
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [transparencyLog(server.url, derOf(tlogKeys.publicKey), start)],
    ctlogs: [
      {
        ...transparencyLog(server.url, ctlog.publicKey, start),
        logId: { keyId: base64Of(ctlog.logID) },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: server.url,
        certChain: { certificates: [{ rawBytes: base64Of(ca.rootCertificate) }] },
        validFor: { start: start.toISOString() },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: server.url,
        certChain: {
          certificates: [
            { rawBytes: base64Of(tsaAuthority.intCertificate) },
            { rawBytes: base64Of(tsaAuthority.rootCertificate) },
          ],
        },
        validFor: { start: start.toISOString() },
      },
    ],
  });
  const trustedRoot = TrustedRoot.toJSON(root) as Record<string, unknown>;

  return {
    url: server.url,
    fulcioUrl: server.url,
    rekorUrl: server.url,
    tsaUrl: server.url,
    trustedRoot,
    writeTrustedRoot: (file) => writeFile(file, `${JSON.stringify(trustedRoot, null, 2)}\n`),
    async idToken({ expiresIn = 600, iss = ACTIONS_ISSUER, aud = 'sigstore', ...claims }) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'test' })
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(issuerKeys.privateKey);
    },
    requests,
    entries,
    stop: server.stop,
  };
}

function transparencyLog(baseUrl: string, publicKeyDer: Buffer, start: Date) {
  return {
    baseUrl,
    hashAlgorithm: HashAlgorithm[HashAlgorithm.SHA2_256],
    publicKey: {
      rawBytes: publicKeyDer.toString('base64'),
      keyDetails: PublicKeyDetails[PublicKeyDetails.PKIX_ECDSA_P256_SHA_256],
      validFor: { start: start.toISOString() },
    },
    logId: { keyId: createHash('sha256').update(publicKeyDer).digest('base64') },
  };
}

/**
 * GitHub Actions' ID token endpoint: `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=<aud>` with
 * `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` → `{"value": <JWT>}`.
 */
export async function startActionsTokenStandin(
  sigstore: Pick<SigstoreStandin, 'idToken'>,
  claims: IdTokenClaims,
): Promise<ActionsTokenStandin> {
  const requestToken = `actions-request-${sha256Hex(String(Math.random())).slice(0, 24)}`;
  const audiences: string[] = [];
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization?.toLowerCase() !== `bearer ${requestToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return void res.end('{"message":"Bad credentials"}');
    }
    const audience = url.searchParams.get('audience') ?? '';
    audiences.push(audience);
    const value = await sigstore.idToken({ ...claims, aud: audience });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: 1, value }));
  });
  return {
    requestUrl: `${server.url}/_apis/pipelines/1/runs/2/idtoken?api-version=2.0`,
    requestToken,
    audiences,
    stop: server.stop,
  };
}
