import path from 'node:path';
import { isStackError } from '../errors.js';

/**
 * One problem, one error. A version file that cannot be parsed is EINVALIDVERSIONFILE; other checks
 * that read the same file (the chart loader reading Chart.yaml, `setup.py --name` reading
 * pkg_info.json) fail because of it too. Such an error is marked with the files it follows from, and
 * dropped when one of them is already reported as unparseable.
 */
const FOLLOWS_FROM = Symbol('followsFrom');

type Marked = Error & { [FOLLOWS_FROM]?: readonly string[]; path?: unknown };

const normal = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\//, '');

/** Marks `error` as a consequence of what `files` (repository-relative paths) hold. */
export function followsFrom<E extends Error>(error: E, files: readonly string[]): E {
  (error as Marked)[FOLLOWS_FROM] = files.map(normal);
  return error;
}

/** The path an EINVALIDVERSIONFILE names: kept on the error (see editor.ts invalidFile). */
export const UNPARSEABLE = Symbol('unparseable');

/** The path an EPATHOUTSIDEREPO names (see safe-path.ts resolveInRepo). */
export const OUTSIDE = Symbol('outside');

const posix = (p: string): string => path.posix.normalize(normal(p));
const under = (dir: string, p: string): boolean => p !== dir && p.startsWith(`${dir}/`);

/**
 * Drops the errors that follow from another one: from a version file reported unparseable, a path
 * below a directory already reported outside the repository (`../x/Chart.yaml` after `../x`), and
 * exact repeats.
 */
export function withoutConsequences(errors: readonly Error[]): Error[] {
  const unparseable = new Set(
    errors.flatMap((e) => {
      const file = (e as Error & { [UNPARSEABLE]?: string })[UNPARSEABLE];
      return isStackError(e) && e.code === 'EINVALIDVERSIONFILE' && file ? [normal(file)] : [];
    }),
  );
  const outsideOf = (e: Error): string | undefined => {
    const p = (e as Error & { [OUTSIDE]?: string })[OUTSIDE];
    return p === undefined ? undefined : posix(p);
  };
  const outside = errors.flatMap((e) => outsideOf(e) ?? []);
  const seen = new Set<string>();
  return errors.filter((e) => {
    if ((e as Marked)[FOLLOWS_FROM]?.some((f) => unparseable.has(f))) return false;
    const p = outsideOf(e);
    if (p !== undefined && outside.some((dir) => under(dir, p))) return false;
    const key = `${isStackError(e) ? e.code : ''}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
