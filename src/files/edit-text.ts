import path from 'node:path';
import { stackError } from '../errors.js';
import {
  AUTO_KEY,
  FILE_TYPES,
  invalidFile,
  keyMissing,
  newFileCaches,
  type FileCaches,
  type FileType,
} from './editor.js';
import { loadEditor, parseCached } from './editors.js';

/** The key edited when a version file names none. */
export const DEFAULT_KEYS: Record<FileType, string> = {
  json: 'version',
  yaml: 'version',
  toml: AUTO_KEY,
  'setup.cfg': 'metadata.version',
  python: '__version__',
};

/** The file type from `explicit` or else from the file name; EUNKNOWNFILETYPE when neither tells. */
export function detectFileType(filePath: string, explicit?: string): FileType {
  if (explicit !== undefined) {
    if ((FILE_TYPES as readonly string[]).includes(explicit)) return explicit as FileType;
    throw stackError('EUNKNOWNFILETYPE', { path: filePath });
  }
  const name = path.basename(filePath).toLowerCase();
  if (name === 'setup.cfg') return 'setup.cfg';
  const byExtension: Record<string, FileType> = {
    '.json': 'json',
    '.yaml': 'yaml',
    '.yml': 'yaml',
    '.toml': 'toml',
    '.py': 'python',
  };
  const type = byExtension[path.extname(name)];
  if (!type) throw stackError('EUNKNOWNFILETYPE', { path: filePath });
  return type;
}

export interface TextEdit {
  /** The concrete key (pyproject's `auto` becomes `project.version` or `tool.poetry.version`). */
  key: string;
  /** null when the key was absent (and is added), or is absent and stays so. */
  oldValue: string | null;
  newText: string;
}

/**
 * What a key that is not there means: an error (the default), or that the key is added — at the top
 * level of a YAML mapping only, what `helm package --app-version` does to a chart without one.
 */
export type MissingKey = 'error' | 'add';

const BOM = '\uFEFF';

/**
 * One edit in memory: parse, read the old value, replace it, and parse the result again to prove the
 * new text holds exactly `value` at `key`. A `null` value removes the key (undoing an added one).
 * Throws the file's StackError; never touches the disk.
 */
export async function editText(
  type: FileType,
  text: string,
  key: string,
  value: string | null,
  filePath: string,
  missing: MissingKey = 'error',
  caches: FileCaches = newFileCaches(),
): Promise<TextEdit> {
  // Parsers reject or mangle a byte order mark, so it is set aside and put back unchanged.
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  const editor = await loadEditor(type);
  const doc = parseCached(editor, type, body, filePath, caches);
  const concrete = doc.resolveKey?.(key) ?? key;
  const oldValue = doc.get(key) ?? null;
  let newBody: string;
  if (value === null) {
    if (oldValue === null) return { key: concrete, oldValue, newText: text };
    if (!doc.remove) throw invalidFile(filePath, `\`${concrete}\` cannot be removed from a ${type} file`);
    newBody = doc.remove(key);
  } else if (oldValue !== null) newBody = doc.set(key, value);
  else if (missing === 'add' && doc.add) newBody = doc.add(key, value);
  else throw keyMissing(filePath, concrete);
  const readBack = parseCached(editor, type, newBody, filePath, caches).get(key) ?? null;
  if (readBack !== value) {
    const what = value === null ? `removing \`${concrete}\`` : `writing \`${value}\` at \`${concrete}\``;
    throw invalidFile(filePath, `${what} would read back as \`${String(readBack)}\``);
  }
  return { key: concrete, oldValue, newText: bom + newBody };
}
