/**
 * ghcr.io's login and its 403, against a REAL docker-registry (htpasswd) and the real dockerd. The
 * registry cannot be called ghcr.io here, so the kind's seam (`githubRegistry`) names the loopback
 * registry as GitHub's. What this proves: with no credentials configured, the GITHUB_TOKEN /
 * GITHUB_ACTOR pair is the login the real docker CLI pushes with (the registry takes nothing else);
 * and a registry that answers 403 DENIED to the push (distribution with htpasswd gives every
 * authenticated user write access, so a small filter in front of it answers the writes as ghcr.io
 * answers a token without `write:packages`) fails the publish with EGHCRPERMISSION.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerKind } from '../../../src/kinds/docker/index.js';
import { docker, ensureDocker } from '../../helpers/docker.js';
import type { TestRepo } from '../../helpers/git.js';
import { listTags, startRegistry, type Registry } from '../../helpers/registry.js';
import { fakeReleaseContext, recordingLogger } from '../../helpers/contexts.js';
import { dockerRepo } from './fixture.js';

const ACTOR = 'octocat';
const TOKEN = `ghs_${Math.random().toString(36).slice(2)}Token`;

let registry: Registry;
let denying: Server;
let denyingHost: string;
let dockerHost: string;
let repo: TestRepo;
let gitHead: string;
let home: string;
const written: string[] = [];

/** In front of the registry: reads pass, every write is refused as ghcr.io refuses it. */
function denyWrites(target: Registry): Promise<Server> {
  const upstream = new URL(target.url);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      written.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'permission_denied: write_package' }] }));
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry({ auth: { user: ACTOR, password: TOKEN } });
  denying = await denyWrites(registry);
  denyingHost = `127.0.0.1:${(denying.address() as AddressInfo).port}`;
  repo = await dockerRepo({
    'docker/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
    'docker/hello.txt': 'hi\n',
  });
  gitHead = await repo.git(['rev-parse', 'HEAD']);
  home = await mkdtemp(path.join(tmpdir(), 'srs-ghcr-home-'));
});

afterAll(async () => {
  const refs = [registry.host, denyingHost].flatMap((host) =>
    ['acme/app', 'acme/denied'].flatMap((name) => [`${host}/${name}:1.0.0`, `${host}/${name}:latest`]),
  );
  await docker(['image', 'rm', '--no-prune', ...refs], { reject: false });
  await new Promise((resolve) => denying?.close(resolve));
  await registry?.stop();
  await repo?.cleanup();
  await rm(home, { recursive: true, force: true });
});

function release(host: string, repository: string) {
  // The seam: this loopback registry is "GitHub's".
  const kind = createDockerKind({ githubRegistry: (registryHost) => registryHost === host });
  const logger = recordingLogger();
  const ctx = fakeReleaseContext({
    root: repo.dir,
    gitHead,
    logger,
    version: '1.0.0',
    // No DOCKER_REGISTRY_*, no credentials configured: GITHUB_TOKEN is the login.
    env: { DOCKER_HOST: dockerHost, HOME: home, GITHUB_TOKEN: TOKEN, GITHUB_ACTOR: ACTOR },
  });
  const resolved = kind.resolveConfig({ image: `${host}/${repository}`, wheelsDir: false }, ctx);
  expect(resolved.errors).toEqual([]);
  return { kind, ctx, logger, config: resolved.config! };
}

describe('a GitHub registry with GITHUB_TOKEN (a real docker-registry standing in)', () => {
  it('checks, builds and pushes with GITHUB_TOKEN as GITHUB_ACTOR when nothing else is configured', async () => {
    const r = release(registry.host, 'acme/app');
    expect(r.config.images[0]!.credentialSource).toEqual({ from: 'github-token', user: ACTOR });
    expect(await r.kind.check!(r.config, r.ctx)).toEqual([]);
    await r.kind.prepare!(r.config, r.ctx, { artifacts: [] } as never);
    const published = await r.kind.publish!(r.config, r.ctx, { artifacts: [] } as never);
    expect(published.outcomes.map((o) => o.status)).toEqual(['published', 'published']);
    expect((await listTags(registry, 'acme/app', registry.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect(r.logger.text()).not.toContain(TOKEN);
  });

  it('turns the 403 of a push the token may not make into EGHCRPERMISSION, with the fix', async () => {
    const r = release(denyingHost, 'acme/denied');
    // Reading with the token works (verifyConditions asks `/v2/` only: no write without a side effect).
    expect(await r.kind.check!(r.config, r.ctx)).toEqual([]);
    await r.kind.prepare!(r.config, r.ctx, { artifacts: [] } as never);
    const error = await r.kind.publish!(r.config, r.ctx, { artifacts: [] } as never).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; details?: string },
    );
    expect(written.length, `${error?.message}\n${error?.details}\n${r.logger.text()}`).toBeGreaterThan(0);
    expect(error?.code).toBe('EGHCRPERMISSION');
    expect(error?.message).toBe(
      `GitHub Container Registry refused to let ${ACTOR} push \`${denyingHost}/acme/denied\` (403).`,
    );
    expect(error?.details).toContain('`permissions: packages: write`');
    expect(error?.details).toContain('Connect repository');
    expect(`${error?.message} ${error?.details}`).not.toContain(TOKEN);
    expect(await listTags(registry, 'acme/denied', registry.auth)).toEqual([]);
  });
});
