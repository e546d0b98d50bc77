export type { Editor, EditorDoc, FileCaches, FileType } from './editor.js';
export { FILE_TYPES, newFileCaches } from './editor.js';
export { DEFAULT_KEYS, detectFileType, editText, type MissingKey, type TextEdit } from './edit-text.js';
export {
  applyEdits,
  checkEdits,
  type CheckedEdit,
  type SkippedEdit,
  type VersionChange,
  type VersionEdit,
  type WriteFile,
} from './edits.js';
export { writeFileAtomic } from './atomic-write.js';
export { assertNotSymlink, checkPath, messageInRepo, resolveInRepo, type PathCheck } from './safe-path.js';
export { followsFrom, withoutConsequences } from './follows-from.js';
