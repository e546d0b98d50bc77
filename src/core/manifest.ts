import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { stackError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { VersionField } from '../kind.js';
import type { Renderings } from '../version.js';

export type ArtifactType =
  'wheel' | 'sdist' | 'docs' | 'chart' | 'image' | 'chart-oci' | 'pypi' | 'sbom' | 'sigstore-bundle';

/**
 * One artifact of the release. Later steps (the image build, publish, the GitHub release) read these
 * records instead of re-deriving file names.
 */
export interface Artifact {
  kind: string;
  type: ArtifactType;
  name: string;
  /** Repository-relative path of a file artifact. */
  path?: string;
  sha256?: string;
  size?: number;
  /** Registry digest of a pushed image or chart (`sha256:…`). */
  digest?: string;
  /** References it is known by (`registry/image:1.4.0`, `oci://…/chart:1.4.0`). */
  refs?: string[];
}

/** The persisted record of one release: what was written, built and published. */
export interface Manifest {
  schema: 1;
  version: string;
  gitTag: string;
  gitHead: string;
  versions: Omit<Renderings, 'nextDev'> & { nextDev: Renderings['nextDev'] };
  /** Version fields written at the release, so the dev-version step writes the same places. */
  fields: VersionField[];
  artifacts: Artifact[];
  /** The commit this run pushed as its claim on the tag (see release-lock.ts); set at publish. */
  lock?: string;
}

export const MANIFEST_FILE = 'manifest.json';
export const CHECKSUMS_FILE = 'SHA256SUMS';

export async function readManifest(artifactsDir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(artifactsDir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * The manifest for this release: the existing one when it is for the same version and commit (a
 * second plugin of the same run, or a resumed release), otherwise a fresh one in an emptied
 * directory, so a stale artifact of an earlier run can never be published.
 */
export async function openManifest(
  artifactsDir: string,
  release: { version: string; gitTag: string; gitHead: string; versions: Renderings },
): Promise<Manifest> {
  const existing = await readManifest(artifactsDir);
  if (existing && existing.version === release.version && existing.gitHead === release.gitHead)
    return existing;
  await rm(artifactsDir, { recursive: true, force: true });
  await mkdir(artifactsDir, { recursive: true });
  return {
    schema: 1,
    version: release.version,
    gitTag: release.gitTag,
    gitHead: release.gitHead,
    versions: { ...release.versions },
    fields: [],
    artifacts: [],
  };
}

/** Adds or replaces (same kind, type and name) artifact records. */
export function mergeArtifacts(manifest: Manifest, artifacts: readonly Artifact[]): void {
  for (const artifact of artifacts) {
    const index = manifest.artifacts.findIndex(
      (a) => a.kind === artifact.kind && a.type === artifact.type && a.name === artifact.name,
    );
    if (index >= 0) manifest.artifacts[index] = { ...manifest.artifacts[index], ...artifact };
    else manifest.artifacts.push(artifact);
  }
}

export function mergeFields(manifest: Manifest, fields: readonly VersionField[]): void {
  for (const field of fields) {
    const same = (f: VersionField) => f.path === field.path && f.key === field.key;
    manifest.fields = [...manifest.fields.filter((f) => !same(f)), field];
  }
}

const TYPE_ORDER: readonly ArtifactType[] = [
  'wheel',
  'sdist',
  'docs',
  'chart',
  'image',
  'chart-oci',
  'pypi',
  'sbom',
  'sigstore-bundle',
];

/**
 * Artifacts in a fixed order (type, then name), not in the order concurrent kinds finished: the
 * same release always writes the same manifest.json bytes, so a resumed release can recognise the
 * copy already attached to its GitHub release.
 */
function canonical(manifest: Manifest): Manifest {
  const rank = (a: Artifact) => TYPE_ORDER.indexOf(a.type);
  const artifacts = [...manifest.artifacts].sort(
    (a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { ...manifest, artifacts };
}

/**
 * Writes manifest.json and SHA256SUMS (file artifacts, `sha256sum -c` format). Sigstore bundles are
 * not summed: SHA256SUMS.sigstore.json signs SHA256SUMS, so it cannot be listed in it.
 */
export async function saveManifest(artifactsDir: string, manifest: Manifest): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await writeFileAtomic(
    path.join(artifactsDir, MANIFEST_FILE),
    `${JSON.stringify(canonical(manifest), null, 2)}\n`,
  );
  const sums = manifest.artifacts
    .filter((a) => a.path && a.sha256 && a.type !== 'sigstore-bundle')
    .map((a) => `${a.sha256}  ${path.basename(a.path!)}\n`)
    .sort()
    .join('');
  await writeFileAtomic(path.join(artifactsDir, CHECKSUMS_FILE), sums);
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function listArtifactsDir(artifactsDir: string): Promise<string[]> {
  try {
    return (await readdir(artifactsDir)).sort();
  } catch {
    return [];
  }
}

/**
 * RELIABILITY 14: the files prepare recorded must still be there, byte for byte, when publish
 * starts — @semantic-release/github would otherwise publish a release without a missing asset and
 * only warn. One error per file, all at once, before anything is published.
 */
export async function checkArtifactFiles(root: string, manifest: Manifest): Promise<Error[]> {
  const files = manifest.artifacts.filter((a) => a.path && a.sha256);
  const problems = await Promise.all(
    files.map(async (a) => {
      const found = await sha256File(path.resolve(root, a.path!)).catch(() => undefined);
      if (found?.sha256 === a.sha256) return [];
      return [
        stackError('EMISSINGASSET', {
          path: a.path,
          problem: found
            ? `its sha256 is ${found.sha256}, not the ${a.sha256} prepare recorded`
            : 'it is gone',
        }),
      ];
    }),
  );
  return problems.flat();
}
