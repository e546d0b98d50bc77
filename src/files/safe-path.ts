import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { stackError, type StackError } from '../errors.js';
import { OUTSIDE } from './follows-from.js';

const isInside = (root: string, target: string): boolean => {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

const isMissing = (error: unknown): boolean =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

const exists = (target: string): Promise<boolean> =>
  lstat(target).then(
    () => true,
    () => false,
  );

/**
 * realpath of the nearest existing ancestor plus the rest, so files that do not exist yet can be
 * checked. Undefined when a dangling link is on the way: where it will point cannot be known.
 */
async function realpathAllowingMissing(target: string): Promise<string | undefined> {
  const rest: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch (error) {
      if (!isMissing(error) || current === path.dirname(current)) throw error;
      if (await exists(current)) return undefined;
      rest.push(path.basename(current));
    }
  }
}

/**
 * An error's message with the repository root taken out of the paths it names: Node's fs errors name
 * absolute paths, and every path a user reads in an error is relative to the repository root.
 */
export function messageInRepo(error: unknown, root: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replaceAll(`${root}${path.sep}`, '').replaceAll(`'${root}'`, `'.'`);
}

/**
 * The absolute path of a user-given path, refused (EPATHOUTSIDEREPO) when it leaves the repository:
 * absolute elsewhere, `..` past the root, or through a symbolic link that points out.
 */
export async function resolveInRepo(root: string, relPath: string, option: string): Promise<string> {
  const outside = (): StackError =>
    Object.assign(stackError('EPATHOUTSIDEREPO', { path: relPath, option, root }), { [OUTSIDE]: relPath });
  if (relPath.includes('\0')) throw outside();
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, relPath);
  if (!isInside(absRoot, abs)) throw outside();
  const real = await realpathAllowingMissing(abs);
  if (real === undefined || !isInside(await realpath(absRoot), real)) throw outside();
  return abs;
}

/** Refuses a symbolic link as a write target (ESYMLINKTARGET); a missing file is fine. */
export async function assertNotSymlink(
  abs: string,
  option: string,
  displayPath: string = abs,
): Promise<void> {
  const stats = await lstat(abs).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (stats?.isSymbolicLink()) throw stackError('ESYMLINKTARGET', { path: displayPath, option });
}

export type PathCheck = { ok: true; abs: string } | { ok: false; error: Error };

/** resolveInRepo and, for write targets, assertNotSymlink, returning the problem instead of throwing it. */
export async function checkPath(
  root: string,
  relPath: string,
  option: string,
  { write = true }: { write?: boolean } = {},
): Promise<PathCheck> {
  try {
    const abs = await resolveInRepo(root, relPath, option);
    if (write) await assertNotSymlink(abs, option, relPath);
    return { ok: true, abs };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}
