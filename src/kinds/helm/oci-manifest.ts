import { sha256Digest } from '../../oci/client.js';
import { goJson } from './go-json.js';
import type { ChartMetadata } from './validate-chart.js';

/**
 * The OCI artifact `helm push` makes of a chart package (helm pkg/registry): one layer holding the
 * .tgz bytes, a config blob holding Chart.yaml's metadata as JSON, and an OCI image manifest
 * (schemaVersion 2; Helm leaves the manifest's own `mediaType` field out and names the type in the
 * Content-Type of the upload) with org.opencontainers.image.* annotations taken from the metadata.
 *
 * One difference on purpose: Helm stamps `created` with the time of the push, so pushing the same
 * package twice gives two manifests. Here it is the release's timestamp (SOURCE_DATE_EPOCH or the
 * release commit's time), so the manifest, and its digest, depend on the release alone and a re-run
 * can recognise its own push.
 */

export const HELM_MEDIA_TYPES = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  chart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  provenance: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
} as const;

const A = 'org.opencontainers.image.';
/** Chart annotations may override every OCI annotation but these two. */
const PROTECTED = [`${A}version`, `${A}title`];

export interface BlobDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface Blob extends BlobDescriptor {
  bytes: Buffer;
}

export interface ChartArtifact {
  config: Blob;
  /** The chart layer is the .tgz itself, uploaded from its file: only its descriptor is here. */
  chart: BlobDescriptor;
  manifest: { digest: string; bytes: Buffer; annotations: Record<string, string> };
}

const blob = (mediaType: string, bytes: Buffer): Blob => ({
  mediaType,
  digest: sha256Digest(bytes),
  size: bytes.length,
  bytes,
});

/** RFC 3339 in UTC with whole seconds, as Go's time.RFC3339 prints a UTC time. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `Name (email), Other` — Helm's rendering of the maintainers list. */
function authors(md: ChartMetadata): string {
  return (md.maintainers ?? []).map((m) => `${m?.name ?? ''}${m?.email ? ` (${m.email})` : ''}`).join(', ');
}

/** The manifest annotations Helm derives from the chart's metadata, plus the chart's own annotations. */
export function chartAnnotations(md: ChartMetadata, created: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== '') out[`${A}${key}`] = value;
  };
  add('description', md.description);
  add('title', md.name);
  add('version', md.version);
  add('url', md.home);
  add('created', created);
  if (md.sources?.length) add('source', md.sources[0]);
  if (md.maintainers?.length) add('authors', authors(md));
  for (const [key, value] of Object.entries(md.annotations ?? {})) {
    if (!PROTECTED.includes(key)) out[key] = value;
  }
  return out;
}

/**
 * Builds the blobs and manifest for a chart package, given the package's sha256 (bare hex) and size.
 * `metadataJson` is the chart.Metadata JSON in Go field order (what Helm's json.Marshal(meta) gives);
 * `created` is an RFC 3339 time.
 */
export function chartArtifact(
  tgz: { sha256: string; size: number },
  md: ChartMetadata,
  metadataJson: Record<string, unknown>,
  created: string,
): ChartArtifact {
  const chart = { mediaType: HELM_MEDIA_TYPES.chart, digest: `sha256:${tgz.sha256}`, size: tgz.size };
  const config = blob(HELM_MEDIA_TYPES.config, Buffer.from(goJson(metadataJson)));
  const annotations = chartAnnotations(md, created);
  const descriptor = (b: BlobDescriptor) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  // ocispec.Manifest field order: schemaVersion, (mediaType omitted), config, layers, annotations.
  const bytes = Buffer.from(
    goJson({ schemaVersion: 2, config: descriptor(config), layers: [descriptor(chart)], annotations }),
  );
  return { config, chart, manifest: { digest: sha256Digest(bytes), bytes, annotations } };
}

/** The chart layer's digest in a manifest read from a registry, if it is a Helm chart manifest. */
export function chartLayerDigest(manifest: Record<string, unknown>): string | undefined {
  const layers = manifest.layers as Array<{ mediaType?: unknown; digest?: unknown }> | undefined;
  const layer = Array.isArray(layers)
    ? layers.find((l) => l?.mediaType === HELM_MEDIA_TYPES.chart)
    : undefined;
  return typeof layer?.digest === 'string' ? layer.digest : undefined;
}
