import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';
import { sha256File, type Artifact } from '../core/manifest.js';
import type { ReleaseContext } from '../kind.js';

/** The files signing adds to release-artifacts/, attached to the GitHub release by the preset. */
export const SIGNATURE_FILE = 'SHA256SUMS.sigstore.json';
export const PROVENANCE_FILE = 'provenance.sigstore.json';
export const SIGN_KIND = 'sign';

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Writes `bytes` as `release-artifacts/<name>` and returns its manifest record. */
export async function writeArtifactFile(
  ctx: ReleaseContext,
  name: string,
  type: Artifact['type'],
  bytes: Buffer,
): Promise<Artifact> {
  const file = path.join(ctx.artifactsDir, name);
  await writeFileAtomic(file, bytes);
  const { sha256, size } = await sha256File(file);
  return { kind: SIGN_KIND, type, name, path: path.relative(ctx.root, file), sha256, size };
}

export const bundleBytes = (bundle: unknown): Buffer => Buffer.from(`${JSON.stringify(bundle)}\n`);
