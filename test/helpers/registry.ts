/**
 * A real OCI registry: Debian's `docker-registry` (distribution v2.8) on a free loopback port,
 * filesystem storage in a temporary directory, deletes enabled, optional htpasswd (bcrypt) auth.
 *
 * distribution with htpasswd auth takes HTTP Basic credentials on every request (no token
 * service), so the read-only client below sends `Authorization: Basic …` directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { INSTALL_HINTS, requireTool } from './tools.js';

export interface BasicAuth {
  user: string;
  password: string;
}

export interface Registry {
  /** `127.0.0.1:PORT` — the registry part of an image reference. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Credentials the registry accepts, when started with auth. */
  auth?: BasicAuth;
  /** Temporary directory holding config.yml, htpasswd, data/ and registry.log. */
  dir: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function configYaml(dir: string, port: number, htpasswd: string | undefined): string {
  // JSON is valid YAML: no quoting surprises with temp paths.
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'info', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, headers: { 'X-Content-Type-Options': ['nosniff'] } },
  };
  if (htpasswd) config.auth = { htpasswd: { realm: 'srs-test-registry', path: htpasswd } };
  return JSON.stringify(config, null, 2) + '\n';
}

async function waitForV2(url: string, expected: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  let last = '';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === expected) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  const tail = await readFile(log, 'utf8').then(
    (text) => text.trimEnd().split('\n').slice(-20).join('\n'),
    () => '(no log)',
  );
  throw new Error(
    `docker-registry did not answer ${expected} on ${url}/v2/ (${exited ? `exited: ${exited}` : `last: ${last}`})\n${tail}`,
  );
}

/**
 * Starts `/usr/bin/docker-registry serve <config.yml>`. With `auth`, a bcrypt htpasswd file is
 * written by `htpasswd -iBn USER` (password on stdin) and `/v2/` must answer 401; without,
 * `/v2/` must answer 200.
 */
export async function startRegistry(options: { auth?: BasicAuth } = {}): Promise<Registry> {
  const binary = await requireTool('docker-registry', INSTALL_HINTS.registry);
  const dir = await mkdtemp(join(tmpdir(), 'srs-registry-'));
  let htpasswdFile: string | undefined;
  if (options.auth) {
    const htpasswd = await requireTool('htpasswd', INSTALL_HINTS.htpasswd);
    const { stdout } = await execa(htpasswd, ['-iBn', options.auth.user], { input: options.auth.password });
    htpasswdFile = join(dir, 'htpasswd');
    await writeFile(htpasswdFile, stdout.trim() + '\n', { mode: 0o600 });
  }

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, configYaml(dir, port, htpasswdFile));
    const log = join(dir, 'registry.log');
    const fd = openSync(log, 'a');
    const child = spawn(binary, ['serve', configFile], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitForV2(url, options.auth ? 401 : 200, child, log);
    } catch (error) {
      if (child.exitCode === null) child.kill('SIGKILL');
      // Lost the race for the port to someone else: try another one.
      const text = await readFile(log, 'utf8').catch(() => '');
      if (attempt < 3 && /address already in use/.test(text)) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { host: `127.0.0.1:${port}`, url, ...(options.auth ? { auth: options.auth } : {}), dir, stop };
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny read-only client for assertions.

type RegistryRef = Pick<Registry, 'url'> | string;

function baseUrl(reg: RegistryRef): string {
  if (typeof reg !== 'string') return reg.url;
  return /^https?:\/\//.test(reg) ? reg.replace(/\/+$/, '') : `http://${reg}`;
}

function headers(auth: BasicAuth | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = { ...extra };
  if (auth) result.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  return result;
}

/** Every manifest media type distribution 2.8 serves. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface ManifestResponse {
  status: number;
  /** Docker-Content-Digest header. */
  digest: string | undefined;
  contentType: string | undefined;
  body: Buffer;
  /** Parsed body when status is 200. */
  json: Record<string, unknown> | undefined;
}

export async function getManifest(
  reg: RegistryRef,
  repo: string,
  ref: string,
  options: { accept?: string | string[]; auth?: BasicAuth; method?: 'GET' | 'HEAD' } = {},
): Promise<ManifestResponse> {
  const accept = Array.isArray(options.accept)
    ? options.accept.join(', ')
    : (options.accept ?? MANIFEST_TYPES.join(', '));
  const response = await fetch(`${baseUrl(reg)}/v2/${repo}/manifests/${ref}`, {
    method: options.method ?? 'GET',
    headers: headers(options.auth, { accept }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  let json: Record<string, unknown> | undefined;
  if (response.status === 200 && body.length > 0) json = JSON.parse(body.toString('utf8'));
  return {
    status: response.status,
    digest: response.headers.get('docker-content-digest') ?? undefined,
    contentType: response.headers.get('content-type') ?? undefined,
    body,
    json,
  };
}

/** The blob bytes; throws on a non-200 answer. */
export async function getBlob(
  reg: RegistryRef,
  repo: string,
  digest: string,
  auth?: BasicAuth,
): Promise<Buffer> {
  const response = await fetch(`${baseUrl(reg)}/v2/${repo}/blobs/${digest}`, { headers: headers(auth) });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) {
    throw new Error(`GET blob ${repo}@${digest}: HTTP ${response.status} ${body.toString('utf8')}`);
  }
  return body;
}

/** Tags of a repository ([] when the repository is unknown); throws on other errors. */
export async function listTags(reg: RegistryRef, repo: string, auth?: BasicAuth): Promise<string[]> {
  const response = await fetch(`${baseUrl(reg)}/v2/${repo}/tags/list`, { headers: headers(auth) });
  const text = await response.text();
  if (response.status === 404) return [];
  if (response.status !== 200) throw new Error(`GET tags ${repo}: HTTP ${response.status} ${text}`);
  const { tags } = JSON.parse(text) as { tags: string[] | null };
  return tags ?? [];
}
