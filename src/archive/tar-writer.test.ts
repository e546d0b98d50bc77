import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarGz, type TarGzOptions, type TarGzWriter } from './tar-writer.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tar-writer-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs GNU tar; any warning on stderr (bad checksum, unknown header…) fails the test. */
function tar(...args: string[]): string {
  const r = spawnSync('tar', args, {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

async function build(name: string, fill: (w: TarGzWriter) => Promise<void>, options?: TarGzOptions) {
  const file = join(tmp, name);
  const w = createTarGz(createWriteStream(file), options);
  await fill(w);
  await w.finish();
  return file;
}

const T = 1_600_000_000; // 2020-09-13T12:26:40Z
const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`; // 121 chars: fits only with ustar's prefix
const longName = `${'n'.repeat(120)}.txt`; // one component > 100: needs PAX
const utf8Name = 'top/ünïcødé-文档.txt';
const longTarget = `../${'t'.repeat(120)}`;

async function sample(w: TarGzWriter): Promise<void> {
  await w.addDirectory({ path: 'top', mtime: T });
  await w.addFile({ path: 'top/a.txt', mtime: T, size: 5, source: Buffer.from('hello') });
  await w.addFile({ path: 'top/run.sh', mtime: T + 1, mode: 0o755, size: 3, source: Buffer.from('ok\n') });
  await w.addFile({ path: 'top/empty', mtime: T, size: 0, source: Buffer.alloc(0) });
  await w.addFile({
    path: 'top/streamed.bin',
    mtime: T,
    size: 1000,
    source: () => Readable.from([Buffer.alloc(300, 1), Buffer.alloc(700, 2)]),
  });
  await w.addSymlink({ path: 'top/link', mtime: T, target: 'a.txt' });
  await w.addDirectory({ path: `top/${longDir}/`, mtime: T, mode: 0o700 });
  await w.addFile({ path: `top/${longDir}/f.txt`, mtime: T, size: 4, source: Buffer.from('deep') });
  await w.addFile({ path: `top/${longName}`, mtime: T, size: 4, source: Buffer.from('long') });
  await w.addFile({ path: utf8Name, mtime: T, size: 4, source: Buffer.from('utf8') });
  await w.addSymlink({ path: 'top/longlink', mtime: T, target: longTarget });
}

describe('createTarGz', () => {
  it('writes an archive GNU tar lists with the given names, modes, owners, times and links', async () => {
    const file = await build('sample.tgz', sample);
    const listing = tar('--numeric-owner', '--full-time', '-tvzf', file);
    const lines = listing.trim().replace(/ +/g, ' ').split('\n');
    const when = '2020-09-13 12:26:40';
    expect(lines).toEqual([
      `drwxr-xr-x 0/0 0 ${when} top/`,
      `-rw-r--r-- 0/0 5 ${when} top/a.txt`,
      `-rwxr-xr-x 0/0 3 2020-09-13 12:26:41 top/run.sh`,
      `-rw-r--r-- 0/0 0 ${when} top/empty`,
      `-rw-r--r-- 0/0 1000 ${when} top/streamed.bin`,
      `lrwxrwxrwx 0/0 0 ${when} top/link -> a.txt`,
      `drwx------ 0/0 0 ${when} top/${longDir}/`,
      `-rw-r--r-- 0/0 4 ${when} top/${longDir}/f.txt`,
      `-rw-r--r-- 0/0 4 ${when} top/${longName}`,
      `-rw-r--r-- 0/0 4 ${when} ${utf8Name}`,
      `lrwxrwxrwx 0/0 0 ${when} top/longlink -> ${longTarget}`,
    ]);
  });

  it('extracts to the same contents, link targets and mtimes', async () => {
    const file = await build('extract.tgz', sample);
    const dest = join(tmp, 'out');
    await mkdir(dest);
    tar('-xzf', file, '-C', dest);
    expect(await readFile(join(dest, 'top/a.txt'), 'utf8')).toBe('hello');
    expect(await readFile(join(dest, 'top/streamed.bin'))).toEqual(
      Buffer.concat([Buffer.alloc(300, 1), Buffer.alloc(700, 2)]),
    );
    expect(await readFile(join(dest, 'top', longDir, 'f.txt'), 'utf8')).toBe('deep');
    expect(await readFile(join(dest, 'top', longName), 'utf8')).toBe('long');
    expect(await readFile(join(dest, utf8Name), 'utf8')).toBe('utf8');
    expect(await readlink(join(dest, 'top/link'))).toBe('a.txt');
    expect(await readlink(join(dest, 'top/longlink'))).toBe(longTarget);
    expect((await lstat(join(dest, 'top/run.sh'))).mtimeMs).toBe((T + 1) * 1000);
  });

  it('gives identical bytes on every run, a valid gzip with MTIME 0, and PAX without atime/ctime', async () => {
    const a = await readFile(await build('one.tgz', sample));
    const b = await readFile(await build('two.tgz', sample));
    expect(a.equals(b)).toBe(true);
    expect(a.readUInt32LE(4)).toBe(0);
    execFileSync('gzip', ['-t', join(tmp, 'one.tgz')]);
    const raw = zlib.gunzipSync(a).toString('latin1');
    expect(raw).toContain(' path=top/');
    expect(raw).not.toMatch(/atime=|ctime=|mtime=/);
    expect(raw.length % 512).toBe(0);
  });

  it('writes exactly the bytes recorded before its buffering was reworked (golden sha256)', async () => {
    // The tar stream is zlib-independent; gzip bytes depend on the zlib build (pinned: Node 20's).
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const plain = await readFile(await build('golden.tgz', sample));
    const helm = await readFile(await build('golden-helm.tgz', sample, { gzipComment: 'Helm', level: 9 }));
    expect(sha(zlib.gunzipSync(plain))).toBe(
      '907553234ddf84f64c69ac63c636b0c888c33c2e7efe9d4e7a33f84e25b73075',
    );
    expect(zlib.gunzipSync(helm).equals(zlib.gunzipSync(plain))).toBe(true);
    if (process.versions.zlib === '1.3.1-e00f703') {
      expect(sha(plain)).toBe('a06dc0428e7ab09c0b38d87985a8aba8b35e2028314a654885311c7ae607b638');
      expect(sha(helm)).toBe('ab9236fb1ae3742d61ef0f46015b530a4dac270d73c2af29285963b573d310e2');
    }
  });

  it('stores a gzip comment when asked', async () => {
    const file = await build('comment.tgz', sample, { gzipComment: 'Helm', level: 9 });
    const bytes = await readFile(file);
    expect(bytes[3]).toBe(0x10); // FCOMMENT
    expect(bytes.subarray(10, 15).toString('latin1')).toBe('Helm\0');
    execFileSync('gzip', ['-t', file]);
    expect(tar('-tzf', file)).toContain('top/a.txt');
  });

  it('refuses unsafe paths and wrong byte counts, and stays failed afterwards', async () => {
    for (const path of ['/abs', '../up', 'a/../b', 'a//b', './a', '']) {
      const w = createTarGz(new Writable({ write: (_c, _e, cb) => cb() }));
      await expect(w.addDirectory({ path, mtime: T })).rejects.toThrow(/unsafe entry path/);
    }
    const short = createTarGz(new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(
      short.addFile({ path: 'x', mtime: T, size: 10, source: () => Readable.from([Buffer.alloc(4)]) }),
    ).rejects.toThrow(/4 bytes, 10 were announced/);
    await expect(short.finish()).rejects.toThrow(/4 bytes/);
    const long = createTarGz(new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(long.addFile({ path: 'x', mtime: T, size: 1, source: Buffer.alloc(2) })).rejects.toThrow(
      /more than/,
    );
  });

  it('reports an error of the output stream instead of hanging', async () => {
    const failing = () =>
      new Writable({ highWaterMark: 1, write: (_c, _e, cb) => cb(new Error('disk full')) });
    // More than the writer queues (4 MiB): it waits for zlib, and the error ends the wait.
    const w = createTarGz(failing(), { level: 0 });
    const size = 16 << 20;
    const big = () => Readable.from([Buffer.alloc(size)]);
    await expect(w.addFile({ path: 'x', mtime: T, size, source: big })).rejects.toThrow(/disk full/);
    // Less than it queues: the entry is accepted, and finish() reports the error.
    const small = createTarGz(failing(), { level: 0 });
    await small.addFile({ path: 'x', mtime: T, size: 1 << 20, source: Buffer.alloc(1 << 20) });
    await expect(small.finish()).rejects.toThrow(/disk full/);
  });

  it('respects backpressure: bytes in flight stay at its fixed queue while a 32 MiB file streams to a slow sink', async () => {
    const total = 32 << 20;
    let read = 0;
    let written = 0;
    let maxInFlight = 0;
    let seed = 1;
    const source = new Readable({
      highWaterMark: 64 << 10,
      read() {
        if (read >= total) return void this.push(null);
        const chunk = Buffer.alloc(64 << 10);
        for (let i = 0; i < chunk.length; i += 4)
          chunk.writeUInt32LE((seed = (seed * 1664525 + 1013904223) >>> 0), i);
        read += chunk.length;
        this.push(chunk);
      },
    });
    const sink = new Writable({
      highWaterMark: 16 << 10,
      write(chunk: Buffer, _e, cb) {
        written += chunk.length;
        maxInFlight = Math.max(maxInFlight, read - written);
        setImmediate(cb);
      },
    });
    const w = createTarGz(sink, { level: 1 });
    await w.addFile({ path: 'big.bin', mtime: T, size: total, source: () => source });
    await w.finish();
    expect(written).toBeGreaterThan(total); // random data does not compress
    // 4 MiB queued for zlib + the 256 KiB buffer being filled + stream chunks: fixed, not the file.
    expect(maxInFlight).toBeLessThan(6 << 20);
  });

  it('writes a big file as a tarball GNU tar accepts (writeFile source round trip)', async () => {
    const src = join(tmp, 'src.bin');
    const content = Buffer.alloc(3 * 512 + 7, 'x');
    await writeFile(src, content);
    const file = await build('rt.tgz', async (w) => {
      await w.addFile({ path: 'f', mtime: T, size: content.length, source: () => createReadStream(src) });
    });
    expect(execFileSync('tar', ['-xzOf', file, 'f']).equals(content)).toBe(true);
    expect(tar('--format=posix', '-tzf', file)).toBe('f\n');
  });
});
