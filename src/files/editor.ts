import { stackError, type StackError } from '../errors.js';
import { UNPARSEABLE } from './follows-from.js';

export type FileType = 'json' | 'yaml' | 'toml' | 'setup.cfg' | 'python';

export const FILE_TYPES: readonly FileType[] = ['json', 'yaml', 'toml', 'setup.cfg', 'python'];

/** pyproject.toml's key alias: `project.version`, or `tool.poetry.version` when only that exists. */
export const AUTO_KEY = 'auto';

export interface EditorDoc {
  /**
   * Current value at key, or undefined if absent. Throws a StackError when the key is there but
   * cannot hold a version (an object, a `dynamic` or `attr:` version, a malformed assignment).
   */
  get(key: string): string | undefined;
  /** Returns the new full text with the value replaced, byte-identical elsewhere. */
  set(key: string, value: string): string;
  /** Returns the new full text with the absent key added; throws EVERSIONKEYMISSING where it cannot be. */
  add?(key: string, value: string): string;
  /** Returns the new full text without the key (a line `add` wrote); throws where it cannot. */
  remove?(key: string): string;
  /** The concrete key an alias such as pyproject's `auto` stands for in this file. */
  resolveKey?(key: string): string;
}

export interface Editor {
  /** Throws EINVALIDVERSIONFILE. `caches` holds what an editor may remember between edits. */
  parse(text: string, path: string, caches: FileCaches): EditorDoc;
}

/**
 * What the editors may keep between edits of one plugin instance (createPlugin makes one; a caller
 * without one gets a fresh set per call). Never shared between instances, so tests stay apart.
 */
export interface FileCaches {
  /** Parsed documents of recent texts, per file type and path (see parseCached). */
  documents: Map<string, Array<{ text: string; doc: EditorDoc }>>;
  /** Per value: whether a plain YAML scalar reads back as this string (see yaml.ts). */
  plainScalars: Map<string, boolean>;
}

export function newFileCaches(): FileCaches {
  return { documents: new Map(), plainScalars: new Map() };
}

export function invalidFile(path: string, reason: string): StackError {
  return Object.assign(stackError('EINVALIDVERSIONFILE', { path, reason }), { [UNPARSEABLE]: path });
}

export function keyMissing(path: string, key: string, hint?: string): StackError {
  return stackError('EVERSIONKEYMISSING', { path, key, hint });
}

/** Dotted key path; a key that itself contains a dot cannot be addressed. */
export function splitKey(key: string): string[] {
  return key.split('.');
}

export function replaceRange(
  text: string,
  [start, end]: readonly [number, number],
  replacement: string,
): string {
  return text.slice(0, start) + replacement + text.slice(end);
}
