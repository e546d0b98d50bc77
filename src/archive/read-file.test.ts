import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegular, readPieces, readWhole, type OpenFile } from './read-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pieces(file: OpenFile, buf: Buffer): Promise<number[]> {
  const sizes: number[] = [];
  for await (const piece of readPieces(file, buf)) sizes.push(piece.length);
  return sizes;
}

describe('openRegular', () => {
  it('opens a regular file with its size and mode', async () => {
    await writeFile(join(dir, 'ok.txt'), 'ok', { mode: 0o755 });
    const file = openRegular(dir, 'ok.txt');
    expect(file).toMatchObject({ size: 2 });
    expect(file.mode & 0o777).toBe(0o755);
    expect(readWhole(file, Buffer.alloc(16)).toString()).toBe('ok');
    fs.closeSync(file.fd);
  });

  it('refuses what is no longer a regular file: missing, a link, a directory, a FIFO (without hanging)', async () => {
    await mkdir(join(dir, 'sub'));
    await symlink('ok.txt', join(dir, 'link.txt'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect(() => openRegular(dir, 'gone.txt')).toThrow(/ENOENT.*gone\.txt/);
    expect(() => openRegular(dir, 'link.txt')).toThrow(/ELOOP.*link\.txt/); // O_NOFOLLOW
    expect(() => openRegular(dir, 'sub')).toThrow(/sub is no longer a regular file/);
    expect(() => openRegular(dir, 'pipe')).toThrow(/pipe is no longer a regular file/); // O_NONBLOCK
  });
});

describe('readWhole and readPieces', () => {
  it('read one byte more than the size, so a file that grew since its stat shows it', async () => {
    await writeFile(join(dir, 'grows.txt'), 'abc');
    const file = openRegular(dir, 'grows.txt');
    await appendFile(join(dir, 'grows.txt'), 'defgh');
    expect(readWhole(file, Buffer.alloc(16)).toString()).toBe('abcd');
    expect(await pieces(file, Buffer.alloc(2))).toEqual([2, 2]);
    fs.closeSync(file.fd);
  });

  it('read a big file in pieces of the buffer, and stop short at its end if it shrank', async () => {
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(10_000, 7));
    const file = openRegular(dir, 'big.bin');
    expect(await pieces(file, Buffer.alloc(4096))).toEqual([4096, 4096, 1808]);
    fs.truncateSync(join(dir, 'big.bin'), 5000);
    expect(await pieces(file, Buffer.alloc(4096))).toEqual([4096, 904]);
    expect(readWhole({ ...file, size: 5000 }, Buffer.alloc(8192)).length).toBe(5000);
    fs.closeSync(file.fd);
  });
});
