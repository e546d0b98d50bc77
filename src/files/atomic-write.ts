import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { chmod, chown, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Temporary files are named `.<target>.srs-<pid>-<random>.tmp`, next to their target. A writer
 * killed between open and rename (SIGKILL, power loss) leaves one behind, and @semantic-release/git
 * stages whatever untracked file its asset globs match (`git ls-files -o`, dot files included,
 * .gitignore ignored), so a directory asset such as `helm/my-chart` would commit it. The next write
 * of the same target therefore removes the temporary files of writers that no longer run.
 */
const TEMP = /^\.(.+)\.srs-(\d+)-[0-9a-f]{12}\.tmp$/;

/** The target a temporary file was written for, and its writer's pid; undefined for other files. */
export function parseTempName(name: string): { target: string; pid: number } | undefined {
  const match = TEMP.exec(name);
  return match ? { target: match[1]!, pid: Number(match[2]) } : undefined;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files left for `abs` by writers that are gone. */
export async function removeStaleTemps(abs: string): Promise<string[]> {
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const temp = parseTempName(name);
    if (!temp || temp.target !== base || isRunning(temp.pid)) continue;
    await unlink(path.join(dir, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/**
 * Replaces `abs` so that a reader sees either the old or the new content, never a torn file: write a
 * temporary file in the same directory (same file system), fsync it, rename it over the target.
 * Keeps the target's mode (and owner, where allowed). Renaming also replaces a hard link instead of
 * writing through it into the other names of the file.
 */
export async function writeFileAtomic(abs: string, data: string | Uint8Array): Promise<void> {
  const previous = await stat(abs).catch(() => undefined);
  await removeStaleTemps(abs);
  const temp = tempPath(abs);
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

function tempPath(abs: string): string {
  const name = `.${path.basename(abs)}.srs-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  return path.join(path.dirname(abs), name);
}

/**
 * writeFileAtomic for the one place that cannot wait: an exit hook (a process dying of a signal runs
 * no more asynchronous work). Same steps, same temp names.
 */
export function writeFileAtomicSync(abs: string, data: string | Uint8Array): void {
  const previous = statSync(abs, { throwIfNoEntry: false });
  const temp = tempPath(abs);
  try {
    const fd = openSync(temp, 'wx', previous ? 0o600 : 0o666);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (previous) {
      try {
        chownSync(temp, previous.uid, previous.gid);
      } catch {
        // not permitted: the owner is the writer's, as for any new file
      }
      chmodSync(temp, previous.mode & 0o7777);
    }
    renameSync(temp, abs);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
  try {
    const dir = openSync(path.dirname(abs), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // as in syncDirectory: not every platform lets a directory be fsynced
  }
}

/** Makes the rename itself durable; not every platform lets a directory be fsynced, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
