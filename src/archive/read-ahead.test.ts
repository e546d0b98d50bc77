import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAhead, READ_AHEAD_FILES, SMALL_FILE_BYTES } from './read-ahead.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-ahead-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const content = (i: number): Buffer => Buffer.from(`file ${i} `.repeat(i + 1));

describe('readAhead', () => {
  it('hands out files in order, small ones read whole, big ones left open', async () => {
    const names = Array.from({ length: 3 * READ_AHEAD_FILES + 1 }, (_, i) => `f-${i}.txt`);
    for (const [i, name] of names.entries()) await writeFile(join(dir, name), content(i));
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(SMALL_FILE_BYTES, 7));
    const files = readAhead(dir, [...names, 'big.bin']);
    for (let i = 0; i < names.length; i++) {
      const f = await files.next();
      expect(f.bytes?.equals(content(i))).toBe(true);
      expect(f.size).toBe(content(i).length);
      expect(f.fd).toBeUndefined();
    }
    const big = await files.next();
    expect(big.size).toBe(SMALL_FILE_BYTES);
    expect(big.bytes).toBeUndefined();
    expect(fs.fstatSync(big.fd!).size).toBe(SMALL_FILE_BYTES);
    fs.closeSync(big.fd!);
    await expect(files.next()).rejects.toThrow(/no more files/);
  });

  it('fails a file at its own turn: missing, a link, a directory', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'ok.txt'), 'ok');
    await symlink('ok.txt', join(dir, 'link.txt'));
    const files = readAhead(dir, ['ok.txt', 'gone.txt', 'link.txt', 'sub', 'ok.txt']);
    expect((await files.next()).bytes?.toString()).toBe('ok');
    await expect(files.next()).rejects.toThrow(/ENOENT/);
    await expect(files.next()).rejects.toThrow(/ELOOP/); // O_NOFOLLOW
    await expect(files.next()).rejects.toThrow(/sub is no longer a regular file/);
    expect((await files.next()).bytes?.toString()).toBe('ok');
  });

  it('close() waits for the files read ahead and closes the open ones', async () => {
    await writeFile(join(dir, 'large.bin'), Buffer.alloc(SMALL_FILE_BYTES + 1));
    const files = readAhead(dir, ['ok.txt', 'large.bin', 'large.bin']);
    await files.next();
    await files.close();
    await expect(files.next()).rejects.toThrow(/no more files/);
  });
});
