import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import zlib from 'node:zlib';

/**
 * Raw deflate compressed on several threads at once, in the manner of pigz: the input is cut into
 * blocks of a fixed size, every block is deflated on its own on libuv's thread pool with the 32 KiB
 * before it as the preset dictionary, and all but the last end with a sync flush (a byte-aligned,
 * non-final empty stored block). Placed one after another, the pieces form ONE valid deflate stream,
 * so a gzip member around it stays a standard single-member .gz file.
 *
 * The bytes depend only on the input, the level, the block size and the zlib build (Node ships its
 * own): blocks are cut at fixed input offsets whatever the sizes of the writes, each block's
 * compression sees nothing but its own bytes and its dictionary, and the pieces are emitted in
 * input order. The number of blocks in flight,
 * the thread pool size and the scheduling only change how fast the same bytes appear.
 */
export interface ParallelDeflateOptions {
  /** zlib level 0–9; 6 by default. */
  level?: number;
  /** Uncompressed bytes per block; at least 32 KiB (the deflate window). 128 KiB like pigz. */
  blockBytes?: number;
  /** Blocks compressed or waiting to be emitted at once: bounds memory and thread pool use. */
  maxInFlight?: number;
}

export const DEFAULT_BLOCK_BYTES = 128 * 1024;
/** Deflate's window: no block can refer further back than this, so it is all a dictionary needs. */
const WINDOW_BYTES = 32 * 1024;
/**
 * Output chunk of each block's deflate stream (a fresh buffer per chunk, garbage once written):
 * a text block fits in one or two, and no block leaves much of a big one unused.
 */
const OUTPUT_CHUNK_BYTES = 32 * 1024;

/**
 * libuv's pool has 4 threads unless UV_THREADPOOL_SIZE says otherwise, shared by the whole process
 * (also by a worker thread's zlib): one is left for the file system calls of whoever else runs, so
 * that they do not queue behind a full pool of blocks. More blocks than cores gain nothing.
 */
export function defaultMaxInFlight(): number {
  return Math.max(1, Math.min(availableParallelism(), 3));
}

interface Block {
  /** The pooled buffer the block was gathered in, back to the pool once the block is emitted. */
  buffer: Buffer;
  /** The compressed chunks, once the block's stream has ended. */
  output?: Buffer[];
}

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`parallel deflate: ${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

export class ParallelDeflateRaw extends Transform {
  private readonly level: number;
  private readonly blockBytes: number;
  private readonly maxInFlight: number;
  /** Blocks handed to zlib, in input order; the head is emitted as soon as it is done. */
  private readonly inFlight: Block[] = [];
  private readonly pool: Buffer[] = [];
  private gathering: Buffer | undefined;
  private filled = 0;
  /** The last 32 KiB of the previous block; zlib copies it when a block's stream is created. */
  private readonly dictionary = Buffer.alloc(WINDOW_BYTES);
  private haveDictionary = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(options: ParallelDeflateOptions & Pick<TransformOptions, 'writableHighWaterMark'> = {}) {
    super({ writableHighWaterMark: options.writableHighWaterMark });
    this.level = options.level ?? 6;
    this.blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    this.maxInFlight = options.maxInFlight ?? defaultMaxInFlight();
    checkInteger('level', this.level, 0, 9);
    checkInteger('blockBytes', this.blockBytes, WINDOW_BYTES, 64 * 1024 * 1024);
    checkInteger('maxInFlight', this.maxInFlight, 1, 64);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.gather(chunk).then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.finishBlocks().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.failure ??= error ?? new Error('parallel deflate: stream destroyed');
    this.wakeUp();
    done(error);
  }

  private async gather(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      // A full block is sent only once more input arrives: the last block, full or not, must be the
      // one that ends the stream (Z_FINISH), or an empty final block would cost two extra bytes.
      if (this.filled === this.blockBytes) await this.send(false);
      this.gathering ??= this.pool.pop() ?? Buffer.allocUnsafe(this.blockBytes);
      const n = Math.min(this.blockBytes - this.filled, chunk.length - off);
      chunk.copy(this.gathering, this.filled, off, off + n);
      this.filled += n;
      off += n;
    }
  }

  private async finishBlocks(): Promise<void> {
    await this.send(true);
    while (this.inFlight.length > 0) await this.nextEvent();
  }

  /** Starts the block gathered so far (maybe empty, for the last one) once a slot is free. */
  private async send(last: boolean): Promise<void> {
    while (this.inFlight.length >= this.maxInFlight) await this.nextEvent();
    const buffer = this.gathering ?? this.pool.pop() ?? Buffer.allocUnsafe(this.blockBytes);
    const input = buffer.subarray(0, this.filled);
    this.gathering = undefined;
    this.filled = 0;
    const block: Block = { buffer };
    this.inFlight.push(block);
    const options: zlib.ZlibOptions = { level: this.level, chunkSize: OUTPUT_CHUNK_BYTES };
    if (this.haveDictionary) options.dictionary = this.dictionary;
    // Z_SYNC_FLUSH ends the block on a byte boundary without the final-block bit, so the next
    // block's bytes can follow it directly; only the last block finishes the stream.
    if (!last) options.finishFlush = zlib.constants.Z_SYNC_FLUSH;
    // A stream per block rather than zlib.deflateRaw(): its chunks are emitted as they are,
    // without the extra copy that joins them into one buffer.
    const deflate = zlib.createDeflateRaw(options);
    const chunks: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    deflate.on('error', (error) => this.destroy(error));
    deflate.on('end', () => {
      block.output = chunks;
      this.emitDone();
    });
    deflate.end(input);
    // Safe to overwrite now: the stream above copied its dictionary when it was created.
    if (input.length >= WINDOW_BYTES) {
      input.copy(this.dictionary, 0, input.length - WINDOW_BYTES);
      this.haveDictionary = true;
    }
  }

  /** Emits finished blocks from the head, in order, and recycles their input buffers. */
  private emitDone(): void {
    if (this.destroyed) return;
    while (this.inFlight[0]?.output) {
      const block = this.inFlight.shift()!;
      for (const chunk of block.output!) this.push(chunk);
      this.pool.push(block.buffer);
    }
    this.wakeUp();
  }

  private async nextEvent(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
