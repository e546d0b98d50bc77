import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import {
  streamSource,
  tarEntries,
  tarEntriesSync,
  TarFormatError,
  type TarEntry,
} from '../../archive/tar-reader.js';
import { MAX_CHART, MAX_FILE, stripBom, type ChartFile } from './chart-file.js';
import { DecodeError } from './go-yaml.js';

/**
 * Reading a chart `.tgz` the way Helm's LoadArchiveFiles does: the top folder dropped, unsafe paths
 * refused, folders skipped, file data limited to Helm's sizes. From a file it is streamed (gunzip
 * into the tar reader), so neither the archive nor more than the chart's own files sit in memory.
 */

/**
 * An archive in memory (a subchart inside a chart) is unpacked whole, so the tar may be at most this
 * big: Helm's limit on the files' bytes, and as much again for headers and padding (a 1 KiB file
 * costs 1.5 KiB of tar), which no chart Helm accepts comes near.
 */
const MAX_TAR_IN_MEMORY = 2 * MAX_CHART;

/** Helm's checks on one entry, in its order; undefined for a folder (skipped). */
class ChartCollector {
  readonly files: ChartFile[] = [];
  private budget = MAX_CHART;

  /** The chart-relative name to read the body under, or undefined to skip the entry. */
  accept(entry: TarEntry): string | undefined {
    if (entry.type === 'directory' || (entry.mode & 0o170000) === 0o040000) return undefined;
    const raw = entry.name;
    const delim = raw.includes('\\') ? '\\' : '/';
    const parts = raw.split(delim);
    let name = parts.slice(1).join('/');
    if (name.startsWith('/')) throw new DecodeError('it contains absolute paths');
    name = path.posix.normalize(name).replace(/(.)\/$/, '$1');
    if (name === '.') throw new DecodeError(`it holds ${JSON.stringify(raw)} outside the chart's folder`);
    if (name.startsWith('..')) throw new DecodeError('it references a parent directory');
    if (/^[a-zA-Z]:\//.test(name)) throw new DecodeError('it contains a drive-letter path');
    if (parts[0] === 'Chart.yaml') throw new DecodeError('its Chart.yaml is not inside a folder');
    if (entry.size > MAX_FILE || entry.size >= this.budget)
      throw new DecodeError('it is larger than Helm allows');
    this.budget -= entry.size;
    return name;
  }

  add(name: string, body: Buffer): void {
    this.files.push({ name, data: stripBom(Buffer.from(body)) });
  }

  result(): ChartFile[] {
    if (this.files.length === 0) throw new DecodeError('it holds no files');
    return this.files;
  }
}

const asDecodeError = (error: unknown): unknown =>
  error instanceof TarFormatError ? new DecodeError(error.message.replace(/^tar: /, '')) : error;

/** A chart archive held in memory (a subchart in `charts/`). */
export function readChartArchive(tgz: Buffer): ChartFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_TAR_IN_MEMORY });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new DecodeError('it is larger than Helm allows');
    throw new DecodeError(`it is not a gzip archive (${(e as Error).message})`);
  }
  const chart = new ChartCollector();
  try {
    for (const entry of tarEntriesSync(tar)) {
      const name = chart.accept(entry);
      if (name !== undefined) chart.add(name, entry.body);
    }
  } catch (error) {
    throw asDecodeError(error);
  }
  return chart.result();
}

/** A chart archive on disk, streamed. */
export async function readChartArchiveFile(file: string): Promise<ChartFile[]> {
  const gunzip = createGunzip();
  // A file that cannot be read ends the pipeline, and the reading below with it: its error is the one
  // to report.
  let streamError: Error | undefined;
  const piped = pipeline(createReadStream(file), gunzip).catch((error: Error) => {
    streamError = error;
  });
  const chart = new ChartCollector();
  try {
    for await (const entry of tarEntries(streamSource(gunzip))) {
      const name = chart.accept(entry);
      if (name !== undefined) chart.add(name, await entry.read());
    }
  } catch (error) {
    gunzip.destroy();
    await piped;
    if (error instanceof DecodeError || error instanceof TarFormatError) throw asDecodeError(error);
    const cause = (streamError ?? error) as NodeJS.ErrnoException;
    // zlib's codes start with Z_; anything else (a file that cannot be read) is not about the bytes.
    if (String(cause.code).startsWith('Z_'))
      throw new DecodeError(`it is not a gzip archive (${cause.message})`);
    throw cause;
  }
  gunzip.destroy();
  await piped;
  return chart.result();
}
