import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCK_BYTES, ParallelDeflateRaw, type ParallelDeflateOptions } from './parallel-gzip.js';
import { createTarGz } from './tar-writer.js';

/** Compressible but not trivial bytes: numbered words from a small LCG. */
function text(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    i += out.write(`w${x % 5000} `, i, 'latin1');
  }
  return out;
}

/** Feeds `data` in pieces of `piece` bytes (so writes never line up with blocks) and collects. */
async function deflate(data: Buffer, options: ParallelDeflateOptions = {}, piece = 77_777): Promise<Buffer> {
  const pieces = function* (): Generator<Buffer> {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
  };
  const parts: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(pieces()), new ParallelDeflateRaw(options), collect);
  return Buffer.concat(parts);
}

/** The same bytes through createTarGz's gzip framing (header, CRC-32, ISIZE). */
async function gzipThroughWriter(data: Buffer, level?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      done();
    },
  });
  const w = createTarGz(out, { level, parallel: {} });
  await w.addFile({ path: 'f', mtime: 0, size: data.length, source: data });
  await w.finish();
  return Buffer.concat(parts);
}

const B = DEFAULT_BLOCK_BYTES;

describe('ParallelDeflateRaw', () => {
  it.each([0, 1, B - 1, B, B + 1, 5 * B + 12_345])('inflates back to the input (%i bytes)', async (size) => {
    const data = text(size);
    const out = await deflate(data);
    expect(zlib.inflateRawSync(out).equals(data)).toBe(true);
  });

  it('round-trips random data and a mix, block by block', async () => {
    const data = Buffer.concat([text(3 * B + 5), randomBytes(2 * B + 7), text(B, 9)]);
    expect(zlib.inflateRawSync(await deflate(data)).equals(data)).toBe(true);
    const noise = randomBytes(4 * B + 1);
    expect(zlib.inflateRawSync(await deflate(noise, { level: 9 })).equals(noise)).toBe(true);
  });

  it('is one deflate stream: only the last block is final, none ends early', async () => {
    const data = text(3 * B);
    const out = await deflate(data);
    // A block that ended the stream early would leave compressed bytes that inflate never reads.
    const { buffer, engine } = zlib.inflateRawSync(out, { info: true }) as unknown as {
      buffer: Buffer;
      engine: zlib.InflateRaw;
    };
    expect(buffer.equals(data)).toBe(true);
    expect(engine.bytesWritten).toBe(out.length);
    expect(out.length).toBeLessThan(data.length / 2); // the dictionaries keep the ratio of one stream
  });

  it('gives the same bytes whatever the write sizes, blocks in flight or run', async () => {
    const data = Buffer.concat([text(6 * B + 999), randomBytes(B)]);
    const first = await deflate(data);
    for (const [maxInFlight, piece] of [
      [1, 1000],
      [2, B],
      [8, 3 * B + 1],
      [3, 77_777],
    ] as const) {
      expect((await deflate(data, { maxInFlight }, piece)).equals(first)).toBe(true);
    }
    expect((await deflate(data)).equals(first)).toBe(true);
  });

  it('honours the level (1 is bigger than 9) and the block size', async () => {
    const data = text(4 * B);
    const sizes = [];
    for (let level = 1; level <= 9; level++) {
      const out = await deflate(data, { level });
      expect(zlib.inflateRawSync(out).equals(data)).toBe(true);
      sizes.push(out.length);
    }
    expect(sizes[0]).toBeGreaterThan(sizes[8]!);
    expect(new Set(sizes).size).toBeGreaterThan(2);
    const big = await deflate(data, { blockBytes: 2 * B });
    expect(zlib.inflateRawSync(big).equals(data)).toBe(true);
    expect(big.equals(await deflate(data))).toBe(false);
  });

  it('rejects options that would break the stream', () => {
    expect(() => new ParallelDeflateRaw({ blockBytes: 1000 })).toThrow(/blockBytes/);
    expect(() => new ParallelDeflateRaw({ level: 10 })).toThrow(/level/);
    expect(() => new ParallelDeflateRaw({ maxInFlight: 0 })).toThrow(/maxInFlight/);
  });

  it('keeps back-pressure: a stalled reader stops the writer', async () => {
    const stream = new ParallelDeflateRaw({ maxInFlight: 2 });
    const data = randomBytes(64 * B);
    let accepted = 0;
    for (let i = 0; i < data.length; i += B) {
      if (!stream.write(data.subarray(i, i + B), () => (accepted += B))) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nobody reads: the writable side holds its high-water mark, the rest waits.
    expect(accepted).toBeLessThan(data.length / 2);
    stream.destroy();
  });
});

describe('createTarGz with parallel blocks', () => {
  it.each([1, 6, 9])(
    'writes a gzip member that gunzip accepts, with CRC and size (level %i)',
    async (level) => {
      const data = Buffer.concat([text(3 * B + 17), randomBytes(B + 3)]);
      const gz = await gzipThroughWriter(data, level);
      expect(gz.subarray(0, 10)).toEqual(
        Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 3]),
      );
      const tarBytes = zlib.gunzipSync(gz);
      expect(tarBytes.subarray(512, 512 + data.length).equals(data)).toBe(true);
      expect(gz.readUInt32LE(gz.length - 4)).toBe(tarBytes.length);
      expect(gz.readUInt32LE(gz.length - 8)).toBe(zlib.crc32(tarBytes));
    },
  );
});
