import { readFile } from 'node:fs/promises';
import { isStackError, stackError, throwAll } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { DEFAULT_KEYS, detectFileType, editText, type MissingKey } from './edit-text.js';
import { invalidFile, newFileCaches, type FileCaches, type FileType } from './editor.js';
import { assertNotSymlink, messageInRepo, resolveInRepo } from './safe-path.js';

export interface VersionEdit {
  /** Relative to the repository root. */
  path: string;
  /** Dotted key; the type's DEFAULT_KEYS entry when absent. */
  key?: string;
  /** null removes the key: how a key this package added is taken out again. */
  value: string | null;
  type?: FileType;
  /** Option that named the file, for error messages (`python.versionFiles[0]`). */
  option: string;
  /**
   * A missing key is an error (default), is added (`add`: see MissingKey), or leaves the file alone
   * (`skip`: for a key the user never named, e.g. the chart's default `image.tag`; a missing file too).
   */
  missing?: MissingKey | 'skip';
}

export interface CheckedEdit extends VersionEdit {
  abs: string;
  type: FileType;
  /** The concrete key, e.g. `project.version` for pyproject's `auto`. */
  key: string;
  /** null: the key is not there (it is added). */
  oldValue: string | null;
  /** The file's text before this edit (after earlier edits of the same file) and after it. */
  oldText: string;
  newText: string;
}

/** An optional edit (`missing: 'skip'`) left out because its file or key is not there. */
export interface SkippedEdit extends VersionEdit {
  reason: 'no-file' | 'no-key';
}

export interface VersionChange {
  path: string;
  key: string;
  /** null: the key was added. Undo a change by writing oldValue back. */
  oldValue: string | null;
  newValue: string | null;
}

export type WriteFile = (abs: string, data: string) => Promise<void>;

async function readVersionFile(abs: string, edit: VersionEdit): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw stackError('EVERSIONFILEMISSING', { path: edit.path, option: edit.option });
    }
    const reason = code === 'EISDIR' ? 'it is a directory' : `it cannot be read (${code ?? String(error)})`;
    throw invalidFile(edit.path, reason);
  }
  try {
    // Fatal decoding: silently replacing bad bytes would change the file outside the edited value.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalidFile(edit.path, 'it is not UTF-8 text');
  }
}

async function checkEdit(
  root: string,
  edit: VersionEdit,
  texts: Map<string, Promise<string>>,
  caches: FileCaches,
): Promise<CheckedEdit> {
  // A path leaving the repository is the problem to report, whatever its name looks like.
  const abs = await resolveInRepo(root, edit.path, edit.option);
  const type = detectFileType(edit.path, edit.type);
  if (edit.value !== null && (edit.value === '' || /\p{Cc}/u.test(edit.value))) {
    throw stackError('EINVALIDVERSION', {
      version: JSON.stringify(edit.value),
      target: `\`${edit.path}\``,
      reason: 'a version file value must be non-empty and free of control characters',
      fix: `Check what \`${edit.option}\` renders.`,
    });
  }
  await assertNotSymlink(abs, edit.option, edit.path);
  if (!texts.has(abs)) texts.set(abs, readVersionFile(abs, edit));
  const oldText = await (texts.get(abs) as Promise<string>);
  const { key, oldValue, newText } = await editText(
    type,
    oldText,
    edit.key ?? DEFAULT_KEYS[type],
    edit.value,
    edit.path,
    edit.missing === 'add' ? 'add' : 'error',
    caches,
  );
  // Later edits of the same file start from this one's result.
  texts.set(abs, Promise.resolve(newText));
  return { ...edit, abs, type, key, oldValue, oldText, newText };
}

const SKIPPABLE: Record<string, SkippedEdit['reason']> = {
  EVERSIONFILEMISSING: 'no-file',
  EVERSIONKEYMISSING: 'no-key',
};

/**
 * Validates every edit (inside the repository, not a symlink, exists, parses, key present) and
 * computes the new texts. Collects all problems; never writes. Several edits of one file apply in order.
 */
export async function checkEdits(
  root: string,
  edits: readonly VersionEdit[],
  { caches = newFileCaches() }: { caches?: FileCaches } = {},
): Promise<{ checked: CheckedEdit[]; skipped: SkippedEdit[]; errors: Error[] }> {
  const checked: CheckedEdit[] = [];
  const skipped: SkippedEdit[] = [];
  const errors: Error[] = [];
  const seen = new Set<string>();
  const texts = new Map<string, Promise<string>>();
  for (const edit of edits) {
    try {
      checked.push(await checkEdit(root, edit, texts, caches));
    } catch (error) {
      const reason = isStackError(error) ? SKIPPABLE[error.code] : undefined;
      if (edit.missing === 'skip' && reason) {
        skipped.push({ ...edit, reason });
        continue;
      }
      // A broken file fails every edit of it the same way; say so once.
      const message = (error as Error).message;
      if (!seen.has(message)) errors.push(error as Error);
      seen.add(message);
    }
  }
  return { checked, skipped, errors };
}

interface FileWrite {
  abs: string;
  path: string;
  before: string;
  after: string;
}

function fileWrites(checked: readonly CheckedEdit[]): FileWrite[] {
  const files = new Map<string, FileWrite>();
  for (const edit of checked) {
    const file = files.get(edit.abs) ?? {
      abs: edit.abs,
      path: edit.path,
      before: edit.oldText,
      after: edit.oldText,
    };
    file.after = edit.newText;
    files.set(edit.abs, file);
  }
  return [...files.values()].filter((file) => file.after !== file.before);
}

async function restore(
  root: string,
  written: readonly FileWrite[],
  writeFile: WriteFile,
  failed: FileWrite,
  cause: unknown,
): Promise<Error> {
  const reason = messageInRepo(cause, root);
  const unrestored: string[] = [];
  let restoreReason = '';
  for (const file of [...written].reverse()) {
    try {
      await writeFile(file.abs, file.before);
    } catch (error) {
      unrestored.push(file.path);
      restoreReason ||= messageInRepo(error, root);
    }
  }
  if (unrestored.length === 0) return stackError('EWRITEFAILED', { path: failed.path, reason });
  return stackError('ERESTOREFAILED', {
    path: failed.path,
    reason,
    files: unrestored.join(' '),
    restoreReason,
  });
}

/**
 * Validates all edits first (throwing every problem at once), then writes every changed file
 * atomically as one set: when a write fails, the files already written get their old text back
 * (EWRITEFAILED). Returns the edits that changed something.
 */
export async function applyEdits(
  root: string,
  edits: readonly VersionEdit[],
  { writeFile = writeFileAtomic, caches }: { writeFile?: WriteFile; caches?: FileCaches } = {},
): Promise<VersionChange[]> {
  const { checked, errors } = await checkEdits(root, edits, { caches });
  throwAll(errors);
  const written: FileWrite[] = [];
  for (const file of fileWrites(checked)) {
    try {
      // Whatever changed the file since it was checked would be lost; stop instead.
      if ((await readFile(file.abs, 'utf8')) !== file.before) {
        throw new Error('it changed while the release was running');
      }
      await writeFile(file.abs, file.after);
      written.push(file);
    } catch (error) {
      throw await restore(root, written, writeFile, file, error);
    }
  }
  return checked
    .filter((edit) => edit.newText !== edit.oldText)
    .map((edit) => ({ path: edit.path, key: edit.key, oldValue: edit.oldValue, newValue: edit.value }));
}
