import { gunzipSync } from 'node:zlib';
import { tarEntriesSync } from '../../src/archive/tar-reader.js';

/**
 * The regular files of a tar (gzipped or not) as name → bytes, read by the package's own tar reader
 * (`src/archive/tar-reader.ts`, tested against GNU tar's formats). A leading `./` or `/` is dropped.
 */
export function tarFiles(archive: Uint8Array): Map<string, Buffer> {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const files = new Map<string, Buffer>();
  for (const entry of tarEntriesSync(tar)) {
    if (entry.type === 'file') files.set(entry.name.replace(/^\.?\//, ''), Buffer.from(entry.body));
  }
  return files;
}
