/**
 * What the signing tests release: a wheel made in memory (a zip with its dist-info METADATA) and an
 * image pushed to a real registry through the registry API, whose layers hold the package records
 * an SBOM is made from (Python dist-info, dpkg's status, apk's db, os-release) and a whiteout.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { createHttpClient } from '../../src/core/http.js';
import { createOciClient, MEDIA_TYPES } from '../../src/oci/client.js';
import type { Registry } from '../helpers/registry.js';

export const WHEEL_METADATA = [
  'Metadata-Version: 2.1',
  'Name: demo-service',
  'Version: 1.4.0',
  'Summary: A demo service',
  'License: MIT',
  'Requires-Dist: requests>=2.31',
  "Requires-Dist: PyYAML; extra == 'yaml'",
  '',
  'The long description.',
  '',
].join('\n');

export async function writeWheel(root: string): Promise<{ path: string; sha256: string; size: number }> {
  const bytes = Buffer.from(
    zipSync({
      'demo_service/__init__.py': Buffer.from(''),
      'demo_service-1.4.0.dist-info/METADATA': Buffer.from(WHEEL_METADATA),
      'demo_service-1.4.0.dist-info/WHEEL': Buffer.from('Wheel-Version: 1.0\n'),
    }),
  );
  const rel = 'release-artifacts/demo_service-1.4.0-py3-none-any.whl';
  await mkdir(path.join(root, 'release-artifacts'), { recursive: true });
  await writeFile(path.join(root, rel), bytes);
  return { path: rel, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

const DPKG_STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u4
Source: glibc

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
`;

const APK_DB = `P:musl
V:1.2.4-r2
A:x86_64
L:MIT
T:the musl c library

P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
`;

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  for (const [name, content] of Object.entries(files)) tar.entry({ name }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const meta = (name: string, version: string, license: string) =>
  `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nLicense: ${license}\n\n`;

/** Pushes a two-layer image to `repository:tag`; returns its manifest digest. */
export async function pushTestImage(registry: Registry, repository: string, tag: string): Promise<string> {
  const client = createOciClient({
    host: registry.host,
    scheme: 'http',
    credentials: registry.auth
      ? { username: registry.auth.user, password: registry.auth.password }
      : undefined,
    fetch: createHttpClient({ env: {} }).request,
  });
  const site = 'usr/lib/python3/dist-packages';
  const layers = [
    await tarGz({
      'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': DPKG_STATUS,
      [`${site}/requests-2.31.0.dist-info/METADATA`]: meta('requests', '2.31.0', 'Apache 2.0'),
      [`${site}/old_lib-0.1.dist-info/METADATA`]: meta('old-lib', '0.1', 'MIT'),
    }),
    await tarGz({
      [`${site}/.wh.old_lib-0.1.dist-info`]: '',
      [`${site}/demo_service-1.4.0.dist-info/METADATA`]: WHEEL_METADATA,
      'lib/apk/db/installed': APK_DB,
    }),
  ];
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
  );
  const descriptors = [];
  for (const layer of layers) {
    const digest = await client.pushBlob(repository, layer);
    descriptors.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest,
      size: layer.length,
    });
  }
  const configDigest = await client.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: descriptors,
    }),
  );
  return client.putManifest(repository, tag, manifest, MEDIA_TYPES.ociManifest);
}
