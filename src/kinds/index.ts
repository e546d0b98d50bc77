import type { ArtifactKind } from '../kind.js';
import { devVersionKind } from './dev-version/index.js';
import { docsKind } from './docs/index.js';
import { dockerKind } from './docker/index.js';
import { helmKind } from './helm/index.js';
import { pythonKind } from './python/index.js';

/**
 * Every artifact kind, in release order. The composite plugin, the standalone entry points and the
 * release plan are all built from this list: a new kind is a folder under kinds/ and a line here.
 */
export const KINDS: ReadonlyArray<ArtifactKind<never>> = [
  pythonKind,
  docsKind,
  dockerKind,
  helmKind,
  devVersionKind,
] as ArtifactKind<never>[];

export function kindByEntry(entry: string): ArtifactKind<never> {
  const kind = KINDS.find((k) => k.entry === entry);
  if (!kind) throw new Error(`no kind for entry point ${entry}`);
  return kind;
}
