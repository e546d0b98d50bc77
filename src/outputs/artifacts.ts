import path from 'node:path';
import type { Artifact, ArtifactType, Manifest } from '../core/manifest.js';

/**
 * What each artifact of the release manifest is known by in the workflow outputs, the step summary
 * and digests.txt. Written from the records generically, so a new artifact type (an sdist, a second
 * image) shows up without a change here: its output key is its type.
 */
export interface ReleasedArtifact {
  /** Output key: the artifact type, except that a pushed chart is the `chart`. */
  key: string;
  /** Where it is: the first registry reference (the version tag), else the repository-relative path. */
  reference: string;
  /** `sha256:<hex>`: the registry digest of a pushed image or chart, else the file's sha256. */
  digest: string | undefined;
  /** Further references (floating tags). */
  more: string[];
  artifact: Artifact;
}

// A record of the registry copy stands in for the file it was made from.
const REGISTRY_COPY_OF: Readonly<Record<string, string>> = { 'chart-oci': 'chart' };
// Records about other artifacts (SBOMs, signatures; see src/sign/) are not what a release ships, nor
// subjects to attest again.
const ABOUT_OTHERS: ReadonlySet<string> = new Set<ArtifactType>(['sbom', 'sigstore-bundle']);

const shipped = (manifest: Pick<Manifest, 'artifacts'>): Artifact[] =>
  manifest.artifacts.filter((a) => !ABOUT_OTHERS.has(a.type));

export function releasedArtifacts(manifest: Pick<Manifest, 'artifacts'>): ReleasedArtifact[] {
  const pushed = new Set(
    manifest.artifacts.flatMap((a) => (REGISTRY_COPY_OF[a.type] ? [REGISTRY_COPY_OF[a.type]!] : [])),
  );
  return shipped(manifest)
    .filter((a) => !pushed.has(a.type))
    .map((a) => {
      const [first, ...more] = a.refs ?? [];
      return {
        key: REGISTRY_COPY_OF[a.type] ?? a.type,
        reference: first ?? a.path ?? a.name,
        digest: a.digest ?? (a.sha256 ? `sha256:${a.sha256}` : undefined),
        more,
        artifact: a,
      };
    });
}

/** Image and chart digests in `sha256sum` format (`<hex>  <name>`), as actions/attest's subject-checksums reads them. */
export function digestLines(manifest: Pick<Manifest, 'artifacts'>): string[] {
  const lines: string[] = [];
  for (const a of shipped(manifest)) {
    // Registry pushes (images, charts) carry the manifest digest; the chart file is a subject too.
    if (a.digest?.startsWith('sha256:')) lines.push(`${a.digest.slice('sha256:'.length)}  ${a.name}`);
    else if (a.type === 'chart' && a.sha256 && a.path) lines.push(`${a.sha256}  ${path.basename(a.path)}`);
  }
  return lines;
}
