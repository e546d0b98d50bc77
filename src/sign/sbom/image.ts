import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as zlib from 'node:zlib';
import { extract } from 'tar-stream';
import { MEDIA_TYPES, type OciClient } from '../../oci/client.js';
import { cdxDocument, componentOf, type CdxDocument } from './cyclonedx.js';
import { apkPackages, dpkgPackages, parseOsRelease, pythonPackage, type PackageRecord } from './packages.js';

/**
 * The SBOM of an image as the registry serves it: its layers are read in order (whiteouts applied),
 * keeping only the files that record installed packages — Python distributions' `*.dist-info/METADATA`,
 * dpkg's status (and distroless `status.d/`), apk's installed database — and the os-release that
 * names the distribution. One layer is in memory at a time (the registry client reads a blob whole);
 * it is decompressed and scanned as a stream.
 */
const WANTED = [
  /(^|\/)[^/]+\.dist-info\/METADATA$/,
  /^var\/lib\/dpkg\/status$/,
  /^var\/lib\/dpkg\/status\.d\/[^/]+$/,
  /^lib\/apk\/db\/installed$/,
  /^(etc|usr\/lib)\/os-release$/,
];
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

type Files = Map<string, Buffer>;

function applyWhiteout(files: Files, entry: string): boolean {
  const dir = entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/') + 1) : '';
  const base = entry.slice(dir.length);
  if (!base.startsWith('.wh.')) return false;
  const gone = base === '.wh..wh..opq' ? dir : `${dir}${base.slice(4)}`;
  for (const name of [...files.keys()])
    if (name === gone || name.startsWith(gone.endsWith('/') || gone === '' ? gone : `${gone}/`))
      files.delete(name);
  return true;
}

function decompressor(mediaType: string): NodeJS.ReadWriteStream | undefined {
  if (/gzip/.test(mediaType)) return createGunzip();
  if (/zstd/.test(mediaType)) {
    const make = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream })
      .createZstdDecompress;
    if (!make) throw new Error(`this Node.js cannot decompress ${mediaType} layers`);
    return make();
  }
  return undefined;
}

async function scanLayer(files: Files, bytes: Buffer, mediaType: string): Promise<void> {
  const tar = extract();
  const source = Readable.from([bytes]);
  const unpack = decompressor(mediaType);
  (unpack ? source.pipe(unpack) : source).pipe(tar);
  for await (const entry of tar) {
    const name = entry.header.name.replace(/^\.?\//, '').replace(/\/$/, '');
    if (applyWhiteout(files, name) || entry.header.type !== 'file' || !WANTED.some((re) => re.test(name))) {
      entry.resume();
      continue;
    }
    if ((entry.header.size ?? 0) > MAX_RECORD_BYTES) {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(name, Buffer.concat(chunks));
  }
}

/** Installed packages in the final filesystem of one image manifest. */
export async function imagePackages(
  client: OciClient,
  repository: string,
  manifest: Record<string, unknown>,
): Promise<PackageRecord[]> {
  const files: Files = new Map();
  for (const layer of (manifest.layers as Array<{ digest: string; mediaType: string }> | undefined) ?? [])
    await scanLayer(files, await client.getBlob(repository, layer.digest), layer.mediaType);
  const text = (name: string) => files.get(name)?.toString('utf8');
  const distro = parseOsRelease(text('etc/os-release') ?? text('usr/lib/os-release') ?? '');
  const records: PackageRecord[] = [];
  for (const [name, bytes] of files) {
    if (name.endsWith('.dist-info/METADATA')) {
      const record = pythonPackage(bytes.toString('utf8'));
      if (record) records.push(record);
    } else if (name.startsWith('var/lib/dpkg/status'))
      records.push(...dpkgPackages(bytes.toString('utf8'), distro));
    else if (name === 'lib/apk/db/installed') records.push(...apkPackages(bytes.toString('utf8'), distro));
  }
  return records;
}

/** The SBOM of the image `digest` (an image index: the packages of each platform's image together). */
export async function imageSbom(
  client: OciClient,
  repository: string,
  image: { name: string; digest: string; tag: string },
  tool: { name: string; version: string },
  epochSeconds: number,
): Promise<CdxDocument> {
  const top = await client.getManifest(repository, image.digest);
  if (!top) throw new Error(`${repository}@${image.digest} is not in the registry`);
  const lists: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
  const manifests = lists.includes(top.mediaType)
    ? await Promise.all(
        ((top.json.manifests as Array<{ digest: string; platform?: { os?: string } }> | undefined) ?? [])
          .filter((m) => m.platform?.os !== 'unknown')
          .map(async (m) => (await client.getManifest(repository, m.digest))?.json ?? {}),
      )
    : [top.json];
  const records: PackageRecord[] = [];
  for (const manifest of manifests) records.push(...(await imagePackages(client, repository, manifest)));
  const components = records.map(componentOf);
  const subject = {
    type: 'container' as const,
    'bom-ref': `${image.name}@${image.digest}`,
    name: image.name,
    version: image.tag,
    purl: ociPurl(image.name, image.digest, image.tag),
    hashes: [{ alg: 'SHA-256' as const, content: image.digest.replace(/^sha256:/, '') }],
  };
  return cdxDocument({
    subject,
    components,
    dependsOn: components.map((c) => c['bom-ref']),
    epochSeconds,
    tool,
  });
}

/** purl of an OCI image: `pkg:oci/<last path part>@sha256%3A…?repository_url=<registry/path>&tag=<tag>`. */
export function ociPurl(name: string, digest: string, tag: string): string {
  const last = name.split('/').at(-1)!;
  return `pkg:oci/${last}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag)}`;
}
