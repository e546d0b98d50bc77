import { randomBytes } from 'node:crypto';
import { chmod, chown, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `abs` so that a reader sees either the old or the new content, never a torn file: write a
 * temporary file in the same directory (same file system), fsync it, rename it over the target.
 * Keeps the target's mode (and owner, where allowed). Renaming also replaces a hard link instead of
 * writing through it into the other names of the file.
 */
export async function writeFileAtomic(abs: string, data: string | Uint8Array): Promise<void> {
  const previous = await stat(abs).catch(() => undefined);
  const temp = path.join(path.dirname(abs), `.${path.basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // A new file gets the usual umask-filtered mode; an existing one's mode is copied below.
    const handle = await open(temp, 'wx', previous ? 0o600 : 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (previous) {
      // chown first: it may clear set-id bits that chmod then puts back.
      await chown(temp, previous.uid, previous.gid).catch(() => undefined);
      await chmod(temp, previous.mode & 0o7777);
    }
    await rename(temp, abs);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(abs));
}

/** Makes the rename itself durable; not every platform lets a directory be fsynced, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
