import { open, type FileHandle } from 'node:fs/promises';
import { sha256Digest, type OciClient } from './client.js';

/**
 * An OCI image layout in a tar file (`docker buildx build --output type=oci`, `podman … oci-archive:`):
 * `index.json` naming the image (or image index), blobs under `blobs/<alg>/<hex>`. Entries are found
 * by reading the tar headers only; a blob is read when it is pushed, so large layers never sit in
 * memory all at once beyond the one being uploaded.
 */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

export interface OciArchive {
  /** The image (or image index) the layout's index.json names. */
  top: Descriptor;
  blob(digest: string): Promise<Buffer>;
  close(): Promise<void>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export async function openOciArchive(file: string): Promise<OciArchive> {
  const handle = await open(file, 'r');
  try {
    const entries = await tarEntries(handle);
    const read = async (name: string) => {
      const entry = entries.get(name);
      if (!entry) throw new Error(`${file} has no ${name}: not an OCI image layout`);
      const bytes = Buffer.alloc(entry.size);
      await handle.read(bytes, 0, entry.size, entry.offset);
      return bytes;
    };
    const index = JSON.parse((await read('index.json')).toString('utf8')) as { manifests?: Descriptor[] };
    const top = index.manifests?.[0];
    if (!top || index.manifests!.length !== 1)
      throw new Error(`${file}: index.json must name exactly one image`);
    return {
      top,
      async blob(digest) {
        const bytes = await read(`blobs/${digest.replace(':', '/')}`);
        if (digest.startsWith('sha256:') && sha256Digest(bytes) !== digest)
          throw new Error(`${file}: blob ${digest} does not match its digest`);
        return bytes;
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Name → position of every regular file in an uncompressed tar (ustar, with PAX long names). */
async function tarEntries(handle: FileHandle): Promise<Map<string, { offset: number; size: number }>> {
  const entries = new Map<string, { offset: number; size: number }>();
  const header = Buffer.alloc(512);
  let paxPath: string | undefined;
  for (let offset = 0; ;) {
    const { bytesRead } = await handle.read(header, 0, 512, offset);
    if (bytesRead < 512 || header.every((b) => b === 0)) break;
    const text = (start: number, length: number) =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1) || '0';
    const prefix = text(345, 155);
    const name = (paxPath ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100))).replace(/^\.\//, '');
    paxPath = undefined;
    if (type === 'x') {
      const body = Buffer.alloc(size);
      await handle.read(body, 0, size, offset + 512);
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    } else if (type === '0' || type === '\0') {
      entries.set(name, { offset: offset + 512, size });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Images of an index that are real platforms (buildx adds attestations as `unknown/unknown`). */
function images(index: { manifests?: Descriptor[] }): Descriptor[] {
  return (index.manifests ?? []).filter((m) => m.platform?.os !== 'unknown');
}

const parse = (bytes: Buffer) =>
  JSON.parse(bytes.toString('utf8')) as Record<string, unknown> & { manifests?: Descriptor[] };

/** Config digests of the archive's image(s), sorted: what identifies it whatever the compression. */
export async function archiveConfigDigests(archive: OciArchive): Promise<string[]> {
  const top = parse(await archive.blob(archive.top.digest));
  if (!INDEX_TYPES.has(archive.top.mediaType)) return [(top.config as Descriptor).digest];
  const configs = await Promise.all(
    images(top).map(async (m) => (parse(await archive.blob(m.digest)).config as Descriptor).digest),
  );
  return configs.sort();
}

/**
 * Pushes the archive's image to `repository` under `reference`: blobs the registry lacks, each
 * platform's manifest by digest, then the top manifest under the tag. Returns its digest.
 */
export async function pushOciArchive(
  client: OciClient,
  repository: string,
  archive: OciArchive,
  reference: string,
): Promise<string> {
  const pushManifest = async (descriptor: Descriptor, ref: string): Promise<string> => {
    const bytes = await archive.blob(descriptor.digest);
    const manifest = parse(bytes);
    if (INDEX_TYPES.has(descriptor.mediaType)) {
      for (const child of manifest.manifests ?? []) await pushManifest(child, child.digest);
    } else {
      for (const blob of [
        manifest.config as Descriptor,
        ...((manifest.layers as Descriptor[] | undefined) ?? []),
      ]) {
        if (!(await client.hasBlob(repository, blob.digest)))
          await client.pushBlob(repository, await archive.blob(blob.digest));
      }
    }
    return client.putManifest(repository, ref, bytes, descriptor.mediaType);
  };
  return pushManifest(archive.top, reference);
}
