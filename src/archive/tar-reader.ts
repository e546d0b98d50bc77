import type { FileHandle } from 'node:fs/promises';

/**
 * The one tar reader of the package (and of its tests): ustar, POSIX PAX (`x` and `g`), GNU long
 * names and links (`L`, `K`) and GNU base-256 numbers; header checksums are verified. It decodes
 * headers and says where each body lies; the caller decides what to do with names (nothing is
 * normalised here) and which bodies to read.
 *
 * - `tarEntriesSync(bytes)`: a tar in memory (a chart or subchart, a test's image layer).
 * - `tarEntries(source)`: a tar read as needed, from a file at offsets (`fileSource`: a body not
 *   asked for is never read, so a 1 GB layer costs one header read) or from a stream
 *   (`streamSource`: a gunzip stream of a chart, bodies not asked for are read and dropped).
 */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** The path as stored: PAX `path`, a GNU long name, or ustar prefix + name. */
  name: string;
  type: TarEntryType;
  /** The header's type flag, `\0` for old-style regular files. */
  typeflag: string;
  /** The whole mode field, file-type bits included when the writer set them. */
  mode: number;
  size: number;
  /** Link target (PAX `linkpath`, a GNU long link, or the header's field). */
  linkname: string;
  /** Where the body starts in the uncompressed tar. */
  offset: number;
}

export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

const BLOCK = 512;
/** PAX and GNU long-name bodies are read into memory: a bigger one is not a name but an attack. */
const MAX_META_BYTES = 1024 * 1024;

const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

function field(h: Buffer, start: number, length: number): string {
  const end = h.indexOf(0, start);
  return h.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function number(h: Buffer, start: number, length: number, what: string): number {
  if (h[start]! & 0x80) {
    // GNU base-256 (big-endian, top bit set) for values octal cannot hold; negative ones are refused.
    if (h[start]! & 0x40) throw new TarFormatError(`tar: negative ${what}`);
    let n = BigInt(h[start]! & 0x7f);
    for (let i = start + 1; i < start + length; i++) n = (n << 8n) | BigInt(h[i]!);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new TarFormatError(`tar: ${what} too large`);
    return Number(n);
  }
  const text = h
    .toString('latin1', start, start + length)
    .replace(/\0.*$/s, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar: invalid ${what} ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

/** The sum of the header's bytes with its checksum field read as spaces (unsigned, or signed as some old tars wrote it). */
function checksumMatches(h: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const stored = number(h, 148, 8, 'checksum');
  return stored === unsigned || stored === signed;
}

function parsePax(body: Buffer, into: Map<string, string>): void {
  for (let at = 0; at < body.length;) {
    const space = body.indexOf(0x20, at);
    const length = space === -1 ? NaN : Number(body.toString('latin1', at, space));
    if (!Number.isSafeInteger(length) || length <= 0 || at + length > body.length)
      throw new TarFormatError('tar: malformed PAX header');
    const record = body.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq <= 0 || body[at + length - 1] !== 0x0a) throw new TarFormatError('tar: malformed PAX record');
    into.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '5': 'directory',
};
/**
 * Links, devices, folders and FIFOs have no body whatever size their header gives: the next header
 * follows at once, as Go's archive/tar (Helm, BuildKit) and Python's tarfile read them.
 */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
const META = new Set(['x', 'g', 'L', 'K']);

/** What a header means: the end of the archive, a metadata header whose body the decoder needs, or an entry. */
type Step = { end: true } | { meta: string; size: number } | { entry: TarEntry };

/** The header state machine both drivers share: extended headers apply to the next entry only (`g` to all). */
class Decoder {
  private local = new Map<string, string>();
  private readonly global = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;

  header(h: Buffer, offset: number): Step {
    if (h.every((b) => b === 0)) return { end: true };
    if (!checksumMatches(h)) throw new TarFormatError(`tar: bad header checksum at byte ${offset}`);
    const typeflag = String.fromCharCode(h[156]!);
    const pax = (key: string) => this.local.get(key) ?? this.global.get(key);
    const paxSize = pax('size');
    const size = paxSize !== undefined ? Number(paxSize) : number(h, 124, 12, 'size');
    if (!Number.isSafeInteger(size) || size < 0)
      throw new TarFormatError(`tar: invalid size at byte ${offset}`);
    if (META.has(typeflag)) {
      if (size > MAX_META_BYTES)
        throw new TarFormatError(`tar: ${size}-byte extended header at byte ${offset}`);
      return { meta: typeflag, size };
    }
    // Only POSIX ustar has the prefix field; old GNU headers keep other data there.
    const posix = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = posix ? field(h, 345, 155) : '';
    const name = pax('path') ?? this.longName ?? (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    const linkname = pax('linkpath') ?? this.longLink ?? field(h, 157, 100);
    this.local = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    // Before ustar a directory was a regular-file header whose name ends in a slash.
    const oldDirectory = typeflag === '\0' && name.endsWith('/');
    const type = oldDirectory ? 'directory' : (TYPES[typeflag] ?? 'other');
    const mode = number(h, 100, 8, 'mode');
    const body = oldDirectory || HEADER_ONLY.has(typeflag) ? 0 : size;
    return { entry: { name, type, typeflag, mode, size: body, linkname, offset: offset + BLOCK } };
  }

  meta(typeflag: string, body: Buffer): void {
    const text = (): string => field(body, 0, body.length);
    if (typeflag === 'x') parsePax(body, this.local);
    else if (typeflag === 'g') parsePax(body, this.global);
    else if (typeflag === 'L') this.longName = text();
    else this.longLink = text();
  }
}

const stepSize = (step: Exclude<Step, { end: true }>): number =>
  'meta' in step ? step.size : step.entry.size;

/** Every entry of a tar held in memory, with its body (a view of `bytes`). */
export function* tarEntriesSync(bytes: Uint8Array): Generator<TarEntry & { body: Buffer }> {
  const tar = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new Decoder();
  for (let offset = 0; ;) {
    if (offset + BLOCK > tar.length) {
      if (offset === tar.length) return; // some writers leave out the end-of-archive blocks
      throw new TarFormatError('tar: the archive is truncated');
    }
    const step = decoder.header(tar.subarray(offset, offset + BLOCK), offset);
    if ('end' in step) return;
    const size = stepSize(step);
    if (offset + BLOCK + size > tar.length) throw new TarFormatError('tar: the archive is truncated');
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    if ('meta' in step) decoder.meta(step.meta, body);
    else yield { ...step.entry, body };
    offset += BLOCK + padded(size);
  }
}

/** Where `tarEntries` reads from: sequential reads and skips. */
export interface TarSource {
  /** The next `length` bytes; fewer only at the end of the input. */
  read(length: number): Promise<Buffer>;
  /** Moves on by `length` bytes without returning them. */
  skip(length: number): Promise<void>;
}

/** A tar file read at offsets: skipped bodies cost nothing. */
export function fileSource(handle: FileHandle): TarSource {
  let position = 0;
  return {
    async read(length) {
      const buf = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      position += got;
      return got === length ? buf : buf.subarray(0, got);
    },
    async skip(length) {
      position += length;
    },
  };
}

/** A tar arriving as a stream of chunks (a gunzip stream); skipped bodies are read and dropped. */
export function streamSource(stream: AsyncIterable<Uint8Array>): TarSource {
  const chunks = stream[Symbol.asyncIterator]();
  const queue: Buffer[] = [];
  let queued = 0;
  async function more(): Promise<boolean> {
    const next = await chunks.next();
    if (next.done) return false;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    queue.push(chunk);
    queued += chunk.length;
    return true;
  }
  /** Takes up to `length` queued bytes off the front, copying them into `into` when given. */
  function take(length: number, into?: Buffer): number {
    let taken = 0;
    while (taken < length && queue.length > 0) {
      const head = queue[0]!;
      const n = Math.min(head.length, length - taken);
      if (into) head.copy(into, taken, 0, n);
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
      taken += n;
      queued -= n;
    }
    return taken;
  }
  return {
    async read(length) {
      while (queued < length && (await more()));
      const out = Buffer.allocUnsafe(Math.min(length, queued));
      take(out.length, out);
      return out;
    },
    async skip(length) {
      let left = length - take(length);
      while (left > 0 && (await more())) left -= take(left);
    },
  };
}

/**
 * Every entry of a tar read through `source`. `read()` returns an entry's whole body; call it before
 * asking for the next entry (or not at all: the body is then skipped).
 */
export async function* tarEntries(source: TarSource): AsyncGenerator<TarEntry & { read(): Promise<Buffer> }> {
  const decoder = new Decoder();
  for (let offset = 0; ;) {
    const h = await source.read(BLOCK);
    if (h.length === 0) return; // some writers leave out the end-of-archive blocks
    if (h.length < BLOCK) throw new TarFormatError('tar: the archive is truncated');
    const step = decoder.header(h, offset);
    if ('end' in step) return;
    const size = stepSize(step);
    let consumed: number | undefined;
    const readBody = async (): Promise<Buffer> => {
      if (consumed !== undefined) throw new Error('tar: an entry body can be read once');
      const body = await source.read(size);
      consumed = body.length;
      if (body.length < size) throw new TarFormatError('tar: the archive is truncated');
      return body;
    };
    if ('meta' in step) decoder.meta(step.meta, await readBody());
    else yield { ...step.entry, read: readBody };
    await source.skip(padded(size) - (consumed ?? 0));
    offset += BLOCK + padded(size);
  }
}
