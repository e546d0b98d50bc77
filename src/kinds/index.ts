import { errorTable } from '../errors.js';
import type { ArtifactKind } from '../kind.js';
import { devVersionKind } from './dev-version/index.js';
import { docsKind } from './docs/index.js';
import { dockerKind } from './docker/index.js';
import { helmKind } from './helm/index.js';
import { pythonKind } from './python/index.js';

/**
 * Every artifact kind, in release order. Everything central is derived from this list: the
 * composite plugin, the standalone entry points (`semantic-release-stack/<entry>`, one per kind
 * folder), the release plan, the manifest's order, the preset, the README's chapters, the error
 * table and resume. A new kind is a folder under kinds/ and a line here.
 */
export const KINDS: ReadonlyArray<ArtifactKind<never>> = [
  pythonKind,
  docsKind,
  dockerKind,
  helmKind,
  devVersionKind,
] as ArtifactKind<never>[];

/** The one error table: the shared codes and every kind's own. */
export const ERRORS = errorTable(KINDS.flatMap((k) => (k.errors ? [k.errors] : [])));

export function kindByEntry(entry: string): ArtifactKind<never> {
  const kind = KINDS.find((k) => k.entry === entry);
  if (!kind) throw new Error(`no kind for entry point ${entry}`);
  return kind;
}
