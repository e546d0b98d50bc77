import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { onExit } from 'signal-exit';
import type { Logger } from '../logger.js';
import { parseTempName, writeFileAtomicSync } from './atomic-write.js';

/**
 * Keeps the current bytes of `paths` (relative to `root`) and puts them back if the process exits
 * before the returned function is called: a CI job cancelled during prepare (SIGTERM, SIGINT,
 * SIGHUP) must not leave the tree at a version that was never released. Node runs no asynchronous
 * work once a signal has arrived, so the hook (signal-exit's, the one execa kills children with)
 * restores synchronously, each file atomically. Files that cannot be read now are left alone.
 */
export async function restoreOnExit(
  root: string,
  paths: readonly string[],
  logger?: Logger,
): Promise<() => void> {
  const files = new Map<string, { rel: string; bytes: Buffer }>();
  for (const rel of paths) {
    const abs = path.resolve(root, rel);
    if (files.has(abs)) continue;
    const bytes = await readFile(abs).catch(() => undefined);
    if (bytes) files.set(abs, { rel, bytes });
  }
  if (files.size === 0) return () => {};
  return onExit((code, signal) => {
    for (const [abs, { rel, bytes }] of files) {
      try {
        removeOwnTemps(abs);
        if (sameBytes(abs, bytes)) continue;
        writeFileAtomicSync(abs, bytes);
        logger?.warn('Restored %s to its content before the release (%s).', rel, signal ?? `exit ${code}`);
      } catch (error) {
        logger?.error('Could not restore %s: %s', rel, (error as Error).message);
      }
    }
  });
}

function sameBytes(abs: string, bytes: Buffer): boolean {
  try {
    return readFileSync(abs).equals(bytes);
  } catch {
    return false;
  }
}

/** A write of this process cut short by the exit leaves its temp file: nothing will rename it now. */
function removeOwnTemps(abs: string): void {
  const base = path.basename(abs);
  for (const name of readdirSync(path.dirname(abs))) {
    const temp = parseTempName(name);
    if (temp?.target === base && temp.pid === process.pid) unlinkSync(path.join(path.dirname(abs), name));
  }
}
