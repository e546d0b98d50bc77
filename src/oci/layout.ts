import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileSource, tarEntries } from '../archive/tar-reader.js';
import { sha256Digest, type BlobSource, type OciClient } from './client.js';

/**
 * An OCI image layout in a tar file (`docker buildx build --output type=oci`, `podman … oci-archive:`):
 * `index.json` naming the image (or image index), blobs under `blobs/<alg>/<hex>`. Entries are found
 * by reading the tar headers only; manifests are read whole (they are small), every other blob is
 * streamed from the file when it is uploaded, so a layer never sits in memory.
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
  /** A manifest or index, read whole and checked against its digest. */
  blob(digest: string): Promise<Buffer>;
  /** A blob as an upload source, streamed from the archive file. */
  source(digest: string): BlobSource;
  close(): Promise<void>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** The distribution registry's own limit on a manifest: anything bigger is not one. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export async function openOciArchive(file: string): Promise<OciArchive> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const entries = new Map<string, { offset: number; size: number }>();
    for await (const entry of tarEntries(fileSource(handle))) {
      if (entry.type !== 'file') continue;
      if (entry.offset + entry.size > fileSize) throw new Error(`${file} is truncated`);
      entries.set(entry.name.replace(/^\.\//, ''), { offset: entry.offset, size: entry.size });
    }
    const find = (name: string) => {
      const entry = entries.get(name);
      if (!entry) throw new Error(`${file} has no ${name}: not an OCI image layout`);
      return entry;
    };
    const read = async (name: string) => {
      const entry = find(name);
      if (entry.size > MAX_MANIFEST_BYTES)
        throw new Error(`${file}: ${name} is ${entry.size} bytes, more than a manifest may be`);
      const bytes = Buffer.alloc(entry.size);
      await handle.read(bytes, 0, entry.size, entry.offset);
      return bytes;
    };
    const blobName = (digest: string) => `blobs/${digest.replace(':', '/')}`;
    const index = JSON.parse((await read('index.json')).toString('utf8')) as { manifests?: Descriptor[] };
    const top = index.manifests?.[0];
    if (!top || index.manifests!.length !== 1)
      throw new Error(`${file}: index.json must name exactly one image`);
    return {
      top,
      async blob(digest) {
        const bytes = await read(blobName(digest));
        if (digest.startsWith('sha256:') && sha256Digest(bytes) !== digest)
          throw new Error(`${file}: blob ${digest} does not match its digest`);
        return bytes;
      },
      source(digest) {
        const { offset, size } = find(blobName(digest));
        return {
          digest,
          size,
          // The client checks the bytes against the digest as they go out.
          open: () =>
            size === 0
              ? Readable.from([])
              : createReadStream(file, { start: offset, end: offset + size - 1 }),
        };
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
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
        const source = archive.source(blob.digest);
        if (source.size !== blob.size)
          throw new Error(
            `blob ${blob.digest} is ${source.size} bytes in the archive, its manifest says ${blob.size}`,
          );
        await client.pushBlob(repository, source);
      }
    }
    return client.putManifest(repository, ref, bytes, descriptor.mediaType);
  };
  return pushManifest(archive.top, reference);
}
