import type { TransformOptions } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ParallelDeflateRaw, type ParallelDeflateOptions } from './parallel-gzip.js';

/**
 * A streaming POSIX (ustar + PAX) tar writer behind gzip. It writes exactly what it is given, in the
 * order given, with no clock, user or host in the bytes: the caller decides paths, order, modes and
 * mtimes, so the same input always gives the same archive.
 *
 * Why not tar-stream or node-tar: measured against both writing the same docs archive, they took
 * ~1.5× the CPU and more memory (node-tar's grows with the tree); bench/notes/docs-archive.md.
 */
export interface TarEntryBase {
  path: string;
  /** Seconds since the epoch. */
  mtime: number;
  mode?: number;
}

export interface TarGzOptions {
  /** zlib level; 6 is zlib's and Go's default. */
  level?: number;
  /** Latin-1 text stored in the gzip header's FCOMMENT field (Helm writes "Helm"). */
  gzipComment?: string;
  /**
   * Compress blocks on several threads (see parallel-gzip.ts). Still one gzip member and still
   * reproducible, but the deflate bytes differ from the single-stream ones (Helm keeps those).
   */
  parallel?: Omit<ParallelDeflateOptions, 'level'>;
}

/**
 * Await each call before the next. Any error (bad path, byte count, stream error) ends the writer:
 * later calls reject with it, and `out` is left for the caller to destroy and delete.
 *
 * Bytes are copied out of every buffer and chunk before the writer takes the next one and before
 * `addFile` resolves, so a source may hand out the same buffer again and again (a reused read buffer).
 */
export interface TarGzWriter {
  addFile(
    entry: TarEntryBase & {
      size: number;
      source: Uint8Array | (() => NodeJS.ReadableStream | AsyncIterable<Uint8Array>);
    },
  ): Promise<void>;
  addSymlink(entry: TarEntryBase & { target: string }): Promise<void>;
  addDirectory(entry: TarEntryBase): Promise<void>;
  /** Writes the end-of-archive blocks and the gzip trailer; resolves once `out` has finished. */
  finish(): Promise<void>;
}

const BLOCK = 512;
const ZEROS = Buffer.alloc(2 * BLOCK);

/**
 * Headers, padding and file bytes are gathered into buffers of this size before one `deflate.write`:
 * each write is a round trip to zlib's thread, far too dear for a 512-byte block.
 */
const COALESCE_BYTES = 256 * 1024;
/**
 * At most this many gathered buffers are queued for zlib (4 MiB), so reading the next files runs
 * ahead of compression instead of waiting for it; the buffers are reused, never reallocated.
 */
const QUEUED_BUFFERS = 16;
/**
 * With parallel compression the deflate side holds its own blocks and drains on all cores, so a
 * shorter queue (1 MiB) is enough to keep it fed, and saves memory.
 */
const QUEUED_BUFFERS_PARALLEL = 4;
/** zlib's output chunk: one callback per 128 KiB of compressed bytes instead of per 16 KiB. */
const DEFLATE_CHUNK_BYTES = 128 * 1024;
const MAX_OCTAL_11 = 8 ** 11 - 1;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

type TypeFlag = '0' | '2' | '5' | 'x';

interface Header {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  mtime: number;
  type: TypeFlag;
  linkname: string;
}

/** Octal digits, zero-padded, NUL-terminated in a field of `width` bytes. */
function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'ascii');
}

/** Fills `b` (one block) with the header, overwriting what it held. */
function ustarHeader(b: Buffer, h: Header): Buffer {
  b.fill(0);
  b.write(h.name, 0, 100, 'ascii');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid
  octal(b, 116, 8, 0); // gid
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime);
  b.fill(0x20, 148, 156); // checksum is computed over spaces in its own field
  b.write(h.type, 156, 1, 'ascii');
  b.write(h.linkname, 157, 100, 'ascii');
  b.write('ustar\u000000', 257, 8, 'ascii');
  octal(b, 329, 8, 0); // devmajor
  octal(b, 337, 8, 0); // devminor
  b.write(h.prefix, 345, 155, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return b;
}

/** Splits a path over ustar's prefix (155) and name (100) fields, or says it needs PAX. */
function splitUstar(p: string): { name: string; prefix: string } | undefined {
  if (!PRINTABLE_ASCII.test(p)) return undefined;
  if (p.length <= 100) return { name: p, prefix: '' };
  for (let i = p.indexOf('/'); i !== -1 && i <= 155; i = p.indexOf('/', i + 1)) {
    const name = p.slice(i + 1);
    if (name.length > 0 && name.length <= 100) return { name, prefix: p.slice(0, i) };
  }
  return undefined;
}

/** A PAX record is "<len> key=value\n" where len counts its own digits too. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + String(rest).length;
  if (String(len).length + rest !== len) len = rest + String(len).length;
  return `${len} ${key}=${value}\n`;
}

/** An ASCII stand-in for the ustar fields of an entry whose real name lives in its PAX header. */
const fallback = (p: string): string => p.replace(/[^\x20-\x7e]/g, '_').slice(-100);

/** Only clean relative paths: tar readers differ on how they treat `..`, `/x`, `a//b` or `./a`. */
function checkPath(p: string, directory: boolean): string {
  const q = p.replace(/\/+$/, '');
  if (
    q === '' ||
    q.startsWith('/') ||
    q.includes('\0') ||
    q.split('/').some((s) => ['', '.', '..'].includes(s))
  ) {
    throw new Error(`tar: refusing unsafe entry path ${JSON.stringify(p)}`);
  }
  return directory ? `${q}/` : q;
}

function checkNumber(what: string, v: number, max = MAX_OCTAL_11): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new Error(`tar: invalid ${what} ${v}`);
}

// zlib's own CRC-32 (Node 20.15 and newer; the package needs 22.22.2): the gzip trailer's checksum.
const crc32 = zlib.crc32;

/**
 * The gzip member header is written by hand around a raw deflate stream: Node's gzip header carries
 * the OS byte of the platform Node was built for and cannot carry a comment; ours is fixed.
 */
function gzipHeader(level: number, comment: string | undefined): Buffer {
  if (comment !== undefined && [...comment].some((ch) => ch === '\0' || ch.charCodeAt(0) > 0xff)) {
    throw new Error('tar: gzipComment must be Latin-1 text without NUL');
  }
  const xfl = level === 9 ? 2 : level === 1 ? 4 : 0;
  const fixed = Buffer.from([0x1f, 0x8b, 8, comment === undefined ? 0 : 0x10, 0, 0, 0, 0, xfl, 3]);
  return comment === undefined ? fixed : Buffer.concat([fixed, Buffer.from(`${comment}\0`, 'latin1')]);
}

export function createTarGz(out: NodeJS.WritableStream, options: TarGzOptions = {}): TarGzWriter {
  const level = options.level ?? 6;
  // At levels 1–9 neither the input pieces nor the output chunk size change the deflate bytes: they
  // are the same as with one write per 512-byte block (the golden tests pin them). Level 0 (stored
  // blocks, no compression) cuts its blocks where the writes end, so its bytes do depend on them.
  const deflateOptions: zlib.ZlibOptions & TransformOptions = {
    level,
    chunkSize: DEFLATE_CHUNK_BYTES,
    // The buffer pool below is the real bound; this keeps the stream's own view consistent with it.
    writableHighWaterMark: QUEUED_BUFFERS * COALESCE_BYTES,
  };
  const queued = options.parallel ? QUEUED_BUFFERS_PARALLEL : QUEUED_BUFFERS;
  const deflate = options.parallel
    ? new ParallelDeflateRaw({
        ...options.parallel,
        level,
        writableHighWaterMark: queued * COALESCE_BYTES,
      })
    : zlib.createDeflateRaw(deflateOptions);
  let crc = 0;
  let isize = 0;
  let failure: Error | undefined;
  let busy = false;
  let finished_ = false;

  /** Gathered buffers: `free` ones, the one being filled (`pending`), the rest queued in `deflate`. */
  const free: Buffer[] = [];
  let allocated = 0;
  let pending: Buffer | undefined;
  let used = 0;
  let wake: (() => void) | undefined;
  const wakeUp = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const fail = (error: Error): void => {
    failure ??= error;
    if (!deflate.destroyed) deflate.destroy(failure);
    wakeUp();
  };
  deflate.on('error', fail);
  // pipe() does not forward the destination's errors; without this a full disk would hang.
  out.on('error', fail);
  out.write(gzipHeader(level, options.gzipComment));
  deflate.pipe(out, { end: false });

  /** A free buffer, waiting while all of them are queued: this is the writer's back-pressure. */
  async function take(): Promise<Buffer> {
    for (;;) {
      if (failure) throw failure;
      const buf = free.pop();
      if (buf) return buf;
      if (allocated < queued) {
        allocated += 1;
        return Buffer.allocUnsafe(COALESCE_BYTES);
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  /** Hands the gathered bytes to zlib; the buffer comes back to `free` once zlib has consumed it. */
  function flush(): void {
    if (!pending || used === 0) return;
    const buf = pending;
    const data = used === buf.length ? buf : buf.subarray(0, used);
    pending = undefined;
    used = 0;
    // The return value (false once the queue is full) is not awaited: take() waits for a buffer.
    deflate.write(data, () => {
      free.push(buf);
      wakeUp();
    });
  }

  async function write(chunk: Uint8Array): Promise<void> {
    if (failure) throw failure;
    crc = crc32(chunk, crc);
    isize = (isize + chunk.length) >>> 0; // gzip's ISIZE is the length modulo 2^32
    for (let off = 0; off < chunk.length;) {
      pending ??= await take();
      const n = Math.min(COALESCE_BYTES - used, chunk.length - off);
      pending.set(chunk.subarray(off, off + n), used);
      used += n;
      off += n;
      if (used === COALESCE_BYTES) flush();
    }
  }

  async function pad(size: number): Promise<void> {
    const rest = (BLOCK - (size % BLOCK)) % BLOCK;
    if (rest > 0) await write(ZEROS.subarray(0, rest));
  }

  /** One operation at a time, none after a failure or after finish. */
  async function run(op: () => Promise<void>): Promise<void> {
    if (failure) throw failure;
    if (finished_) throw new Error('tar: writer already finished');
    if (busy) throw new Error('tar: entries must be added one at a time (await each call)');
    busy = true;
    try {
      await op();
    } catch (error) {
      fail(error as Error);
      throw error;
    } finally {
      busy = false;
    }
  }

  /**
   * One header block for the whole archive instead of a fresh one per entry (100k entries made 50 MB
   * of short-lived buffers): safe because write() has copied a block before it resolves, and each
   * header is awaited before the next is built.
   */
  const headerBlock = Buffer.alloc(BLOCK);

  async function header(e: TarEntryBase, type: '0' | '2' | '5', size: number, target = ''): Promise<void> {
    const path = checkPath(e.path, type === '5');
    const mode = e.mode ?? (type === '0' ? 0o644 : type === '5' ? 0o755 : 0o777);
    checkNumber('mode', mode, 0o7777);
    checkNumber('mtime', e.mtime);
    checkNumber('size', size, Number.MAX_SAFE_INTEGER);
    if (type === '2' && (target === '' || target.includes('\0')))
      throw new Error(`tar: bad link target for ${path}`);
    const split = splitUstar(path);
    const linkFits = target.length <= 100 && PRINTABLE_ASCII.test(target);
    let pax = split ? '' : paxRecord('path', path);
    if (!linkFits) pax += paxRecord('linkpath', target);
    if (size > MAX_OCTAL_11) pax += paxRecord('size', String(size));
    if (pax) {
      const body = Buffer.from(pax, 'utf8');
      const base = fallback(path.replace(/\/$/, '').split('/').pop()!);
      const name = `PaxHeaders/${base}`.slice(0, 100);
      await write(
        ustarHeader(headerBlock, {
          name,
          prefix: '',
          mode: 0o644,
          size: body.length,
          mtime: e.mtime,
          type: 'x',
          linkname: '',
        }),
      );
      await write(body);
      await pad(body.length);
    }
    const { name, prefix } = split ?? { name: fallback(path), prefix: '' };
    const linkname = linkFits ? target : fallback(target);
    await write(
      ustarHeader(headerBlock, {
        name,
        prefix,
        mode,
        size: Math.min(size, MAX_OCTAL_11),
        mtime: e.mtime,
        type,
        linkname,
      }),
    );
  }

  return {
    addFile: (e) =>
      run(async () => {
        await header(e, '0', e.size);
        let n = 0;
        const tooMany = (): Error => new Error(`tar: ${e.path} has more than the announced ${e.size} bytes`);
        if (e.source instanceof Uint8Array) {
          n = e.source.length;
          if (n > e.size) throw tooMany();
          await write(e.source);
        } else {
          // for-await pulls one chunk at a time and destroys the stream if we stop early.
          for await (const chunk of e.source() as AsyncIterable<Uint8Array | string>) {
            const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            n += buf.length;
            if (n > e.size) throw tooMany();
            await write(buf);
          }
        }
        if (n !== e.size) throw new Error(`tar: ${e.path} has ${n} bytes, ${e.size} were announced`);
        await pad(n);
      }),
    addSymlink: (e) => run(() => header(e, '2', 0, e.target)),
    addDirectory: (e) => run(() => header(e, '5', 0)),
    finish: () =>
      run(async () => {
        await write(ZEROS);
        flush();
        deflate.end();
        await finished(deflate);
        finished_ = true;
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc, 0);
        trailer.writeUInt32LE(isize, 4);
        out.end(trailer);
        await finished(out);
      }),
  };
}
