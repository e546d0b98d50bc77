import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { create, WriteEntry } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest, startRegistry, type Registry } from '../helpers/registry.js';
import { PROJECT_ROOT } from '../helpers/semantic-release.js';

/**
 * An OCI archive with a 1 GiB layer (what `docker buildx --output type=oci` writes for a big image)
 * is pushed to the real docker-registry by a node process whose V8 heap is capped at 200 MB: the
 * layer is hashed and sent as a stream from the archive file, never held. Buffers live outside
 * V8's heap, so the cap alone would not catch one: the process's peak RSS is checked too.
 */
const PUSHER = path.join(PROJECT_ROOT, 'test/reliability/fixtures/push-oci-archive.mjs');
const DIST = path.join(PROJECT_ROOT, 'dist');
const USER = 'ci-bot';
const PASSWORD = 'large-Layer-pa55';
const CHUNK = 1024 * 1024;
const LAYER_BYTES = 1024 * CHUNK;
/** Far below the layer: node itself takes ~50 MB; a layer read whole would take 1 GiB more. */
const MAX_RSS_MB = 256;

const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

let registry: Registry;
let dir: string;
beforeAll(async () => {
  if (!existsSync(path.join(DIST, 'oci/layout.js')))
    throw new Error(`${DIST}/oci/layout.js is missing: run \`npm run build\` before these tests`);
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  dir = await mkdtemp(path.join(tmpdir(), 'srs-large-layer-'));
});
afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 1 GiB of incompressible bytes, the same on every pass: one random MiB, each copy numbered. */
function layerChunks(base: Buffer): Iterable<Buffer> {
  return (function* () {
    for (let i = 0; i < LAYER_BYTES / CHUNK; i++) {
      const chunk = Buffer.from(base);
      chunk.writeUInt32BE(i, 0);
      yield chunk;
    }
  })();
}

/** Writes the OCI image layout tar with node-tar (the layer streamed into it); returns its digests. */
async function writeLayout(file: string) {
  const base = randomBytes(CHUNK);
  const hash = createHash('sha256');
  for (const chunk of layerChunks(base)) hash.update(chunk);
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${hash.digest('hex')}`,
    size: LAYER_BYTES,
  };
  const configBytes = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: sha256(configBytes),
    size: Buffer.byteLength(configBytes),
  };
  const manifestBytes = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  });
  const manifest = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(manifestBytes),
    size: Buffer.byteLength(manifestBytes),
  };
  const entry = (name: string, body: string | Iterable<Buffer>, size?: number) =>
    new WriteEntry(
      { path: name, mode: 0o644, mtime: new Date(0), ...(size !== undefined ? { size } : {}) },
      body,
    );
  const blob = (digest: string) => `blobs/${digest.replace(':', '/')}`;
  await create({ file, portable: true }, [
    entry('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
    entry('index.json', JSON.stringify({ schemaVersion: 2, manifests: [manifest] })),
    entry(blob(manifest.digest), manifestBytes),
    entry(blob(config.digest), configBytes),
    entry(blob(layer.digest), layerChunks(base), LAYER_BYTES),
  ]);
  return { layer, manifest };
}

describe('OCI archive push with a 1 GiB layer', () => {
  it(
    'streams the layer from disk under a 200 MB heap; the registry serves the manifest and the exact layer',
    async () => {
      const archive = path.join(dir, 'image.oci.tar');
      const { layer, manifest } = await writeLayout(archive);
      expect((await stat(archive)).size).toBeGreaterThan(LAYER_BYTES);

      const child = await execa(
        process.execPath,
        ['--max-old-space-size=200', PUSHER, DIST, archive, registry.host, 'acme/big', '1.0.0'],
        { env: { SRS_REGISTRY_USER: USER, SRS_REGISTRY_PASSWORD: PASSWORD }, reject: false },
      );
      expect(child.stderr).toBe('');
      expect(child.exitCode).toBe(0);
      const pushed = JSON.parse(child.stdout.trim()) as {
        digest: string;
        maxRssKb: number;
        peakArrayBuffersKb: number;
      };
      expect(pushed.digest).toBe(manifest.digest);
      expect(pushed.maxRssKb / 1024).toBeLessThan(MAX_RSS_MB);
      expect(pushed.peakArrayBuffersKb / 1024).toBeLessThan(64);

      // Read back through the registry API: the manifest by tag, the layer's digest and size, then
      // the layer's bytes, hashed as they arrive.
      const got = await getManifest(registry, 'acme/big', '1.0.0', { auth: registry.auth });
      expect(got.status).toBe(200);
      expect(got.digest).toBe(manifest.digest);
      expect((got.json as { layers: unknown[] }).layers).toEqual([layer]);
      const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      const blobUrl = `${registry.url}/v2/acme/big/blobs/${layer.digest}`;
      const head = await fetch(blobUrl, { method: 'HEAD', headers: { authorization } });
      expect(head.status).toBe(200);
      expect(head.headers.get('docker-content-digest')).toBe(layer.digest);
      expect(head.headers.get('content-length')).toBe(String(LAYER_BYTES));
      const response = await fetch(blobUrl, { headers: { authorization } });
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of response.body!) {
        hash.update(chunk);
        size += chunk.length;
      }
      expect(size).toBe(LAYER_BYTES);
      expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
    },
    15 * 60_000,
  );
});
