import fs from 'node:fs';
import path from 'node:path';

/**
 * Synchronous reads of the files an archive holds. The docs archive is written on a worker thread
 * (or, for a small tree, on the caller's thread for a few milliseconds), so blocking calls only hold
 * up that thread, and they cost far less CPU than round trips through libuv's pool: reading 20k
 * small files took 0.38 s CPU this way against 1.4 s with callbacks (and 2.1 s with fs/promises).
 */
export interface OpenFile {
  fd: number;
  size: number;
  /** st_mode of the open file (its permission bits decide the archived mode). */
  mode: number;
}

// O_NOFOLLOW: a file swapped for a link since the scan must not be followed out of the tree;
// O_NONBLOCK: nor may a swapped-in FIFO hang the thread.
const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** Opens `rel` under `dir` if it is still a regular file; the caller closes `fd`. */
export function openRegular(dir: string, rel: string): OpenFile {
  const fd = fs.openSync(path.join(dir, rel), FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${rel} is no longer a regular file`);
    return { fd, size: st.size, mode: st.mode };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * Reads up to `want` bytes from file offset `pos` into `buf` at 0, fewer only at the end of the file.
 * The callers ask for one byte more than the size, so a file that grew since its stat shows one byte
 * too many (the tar writer then refuses it) instead of being cut silently.
 */
function fill(fd: number, buf: Buffer, want: number, pos: number): number {
  let got = 0;
  while (got < want) {
    const n = fs.readSync(fd, buf, got, want - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** A file smaller than `buf`, whole, as a view of `buf` (`size + 1` bytes if it grew). */
export function readWhole(file: OpenFile, buf: Buffer): Buffer {
  return buf.subarray(0, fill(file.fd, buf, file.size + 1, 0));
}

/** Any file, in views of `buf` (each valid until the next is pulled), `size + 1` bytes at most. */
export async function* readPieces(file: OpenFile, buf: Buffer): AsyncGenerator<Buffer> {
  for (let pos = 0; pos <= file.size;) {
    const want = Math.min(buf.length, file.size + 1 - pos);
    const got = fill(file.fd, buf, want, pos);
    if (got > 0) yield buf.subarray(0, got);
    if (got < want) return;
    pos += got;
  }
}
