import type { Editor, EditorDoc, FileType } from './editor.js';
import { jsonEditor } from './json.js';
import { pythonEditor } from './python.js';
import { setupCfgEditor } from './setup-cfg.js';

/**
 * The YAML and TOML editors pull in their parser packages (yaml, toml-eslint-parser: ~35 and ~20 ms
 * of module loading), so they are imported the first time a file of their type is edited, not when
 * the plugin loads. One promise per type, so concurrent first uses share one import.
 */
const LOADERS: Record<FileType, () => Promise<Editor>> = {
  json: async () => jsonEditor,
  'setup.cfg': async () => setupCfgEditor,
  python: async () => pythonEditor,
  yaml: async () => (await import('./yaml.js')).yamlEditor,
  toml: async () => (await import('./toml.js')).tomlEditor,
};
const loading = new Map<FileType, Promise<Editor>>();

export function loadEditor(type: FileType): Promise<Editor> {
  let editor = loading.get(type);
  if (!editor) {
    editor = LOADERS[type]();
    loading.set(type, editor);
  }
  return editor;
}

/**
 * Parsed documents of recent texts. A release edits the same few files with the same values in
 * verifyRelease (the plan), prepare and success, and each edit parses its result again to check it,
 * so the same text is parsed many times; YAML parsing is the costly part (~0.3 MB/s). Documents are
 * never modified (`set` returns a new text), so sharing one is safe. Failed parses are not kept.
 */
const RECENT_PER_FILE = 4;
/** Larger texts are parsed every time: their documents would hold tens of MB. */
const MAX_CACHED_CHARS = 256 * 1024;
const recent = new Map<string, Array<{ text: string; doc: EditorDoc }>>();

export function parseCached(editor: Editor, type: FileType, text: string, filePath: string): EditorDoc {
  // The path is part of the key: a document's errors name its file.
  const key = `${type}\0${filePath}`;
  const entries = recent.get(key) ?? [];
  const hit = entries.find((entry) => entry.text === text);
  if (hit) return hit.doc;
  const doc = editor.parse(text, filePath);
  if (text.length > MAX_CACHED_CHARS) return doc;
  entries.unshift({ text, doc });
  entries.length = Math.min(entries.length, RECENT_PER_FILE);
  recent.set(key, entries);
  return doc;
}
