import { MEDIA_TYPES, sha256Digest, type OciClient } from '../oci/client.js';

/**
 * OCI 1.1 referrers: an artifact manifest whose `subject` is the image (or chart) it describes, laid
 * out as cosign v3 and GitHub's attestations lay out Sigstore bundles (empty config, one layer, the
 * bundle's media type as `artifactType`). A registry with the referrers API indexes such manifests
 * itself; on one without it (distribution 2.8, Debian's docker-registry) the referrers tag schema
 * of the distribution spec applies: an image index under the tag `sha256-<hex>` lists them, and
 * whoever adds a referrer updates that index.
 */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json';
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
const EMPTY = Buffer.from('{}');

export const ANNOTATIONS = {
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** The referrers tag of a digest: `sha256:abc…` → `sha256-abc…`. */
export const referrersTag = (digest: string): string => digest.replace(':', '-');

export interface Referrers {
  descriptors: Descriptor[];
  /** Where they were found: the registry's referrers API, or the tag schema index. */
  via: 'api' | 'tag-schema';
}

export async function listReferrers(
  client: OciClient,
  repository: string,
  digest: string,
): Promise<Referrers> {
  const api = await client.referrers(repository, digest);
  if (api) return { descriptors: (api.manifests as Descriptor[] | undefined) ?? [], via: 'api' };
  const index = await client.getManifest(repository, referrersTag(digest), [MEDIA_TYPES.ociIndex]);
  return { descriptors: (index?.json.manifests as Descriptor[] | undefined) ?? [], via: 'tag-schema' };
}

/** The one layer of a referrer (its bundle or SBOM), with the manifest that holds it. */
export async function referrerContent(
  client: OciClient,
  repository: string,
  descriptor: Descriptor,
): Promise<{ manifest: Record<string, unknown>; layer: Descriptor; bytes: Buffer } | undefined> {
  const manifest = await client.getManifest(repository, descriptor.digest, [MEDIA_TYPES.ociManifest]);
  const layer = (manifest?.json.layers as Descriptor[] | undefined)?.[0];
  if (!manifest || !layer) return undefined;
  return { manifest: manifest.json, layer, bytes: await client.getBlob(repository, layer.digest) };
}

export interface NewReferrer {
  artifactType: string;
  bytes: Buffer;
  /** Annotations of the referrer manifest (and of its entry in the tag schema index). */
  annotations: Record<string, string>;
  /** File name of the layer (`org.opencontainers.image.title`). */
  title: string;
}

/**
 * Pushes `artifact` as a referrer of `subject` and, on a registry without the referrers API, adds it
 * to the tag schema index. The manifest's bytes depend only on its inputs, so pushing the same
 * artifact again yields the same digest, which the index already lists.
 */
export async function attachReferrer(
  client: OciClient,
  repository: string,
  subject: Descriptor,
  artifact: NewReferrer,
): Promise<{ digest: string; via: Referrers['via'] }> {
  await client.pushBlob(repository, EMPTY);
  const layerDigest = await client.pushBlob(repository, artifact.bytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType: artifact.artifactType,
      config: { mediaType: EMPTY_MEDIA_TYPE, digest: sha256Digest(EMPTY), size: EMPTY.length },
      layers: [
        {
          mediaType: artifact.artifactType,
          digest: layerDigest,
          size: artifact.bytes.length,
          annotations: { [ANNOTATIONS.title]: artifact.title },
        },
      ],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: artifact.annotations,
    }),
  );
  const digest = sha256Digest(manifest);
  await client.putManifest(repository, digest, manifest, MEDIA_TYPES.ociManifest);
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPES.ociManifest,
    digest,
    size: manifest.length,
    artifactType: artifact.artifactType,
    annotations: artifact.annotations,
  };
  if (await client.referrers(repository, subject.digest)) return { digest, via: 'api' };
  await addToTagIndex(client, repository, subject.digest, descriptor);
  return { digest, via: 'tag-schema' };
}

async function addToTagIndex(
  client: OciClient,
  repository: string,
  subject: string,
  descriptor: Descriptor,
): Promise<void> {
  const tag = referrersTag(subject);
  const existing = await client.getManifest(repository, tag, [MEDIA_TYPES.ociIndex]);
  const manifests = (existing?.json.manifests as Descriptor[] | undefined) ?? [];
  if (manifests.some((m) => m.digest === descriptor.digest)) return;
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [...manifests, descriptor] };
  await client.putManifest(repository, tag, Buffer.from(JSON.stringify(index)), MEDIA_TYPES.ociIndex);
}
