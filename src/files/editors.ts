import type { Editor, EditorDoc, FileCaches, FileType } from './editor.js';
import { jsonEditor } from './json.js';
import { pythonEditor } from './python.js';
import { setupCfgEditor } from './setup-cfg.js';

/**
 * The YAML and TOML editors pull in their parser packages, whose loading is a noticeable part of the
 * plugin's start (bench/notes/overhead.md), so they are imported the first time a file of their type
 * is edited, not when the plugin loads. Node's module cache makes later imports free.
 */
const LOADERS: Record<FileType, () => Promise<Editor>> = {
  json: async () => jsonEditor,
  'setup.cfg': async () => setupCfgEditor,
  python: async () => pythonEditor,
  yaml: async () => (await import('./yaml.js')).yamlEditor,
  toml: async () => (await import('./toml.js')).tomlEditor,
};

export function loadEditor(type: FileType): Promise<Editor> {
  return LOADERS[type]();
}

/**
 * Parsed documents of recent texts. A release edits the same few files with the same values in
 * verifyRelease (the plan), prepare and success, and each edit parses its result again to check it,
 * so the same text is parsed many times, and YAML parsing is the costly part
 * (bench/notes/chart-edits.md). Documents are never modified (`set` returns a new text), so sharing
 * one is safe. Failed parses are not kept.
 */
const RECENT_PER_FILE = 4;
/**
 * Characters of text kept per file. A YAML document takes many times its text in memory
 * (bench/notes/chart-edits.md), so this bounds the cache to tens of MB; it is also what lets a 1 MB
 * values.yaml be parsed once per edit, not twice (the text an edit produced is the text the next
 * step starts from).
 */
const MAX_CACHED_CHARS_PER_FILE = 2 * 1024 * 1024;

export function parseCached(
  editor: Editor,
  type: FileType,
  text: string,
  filePath: string,
  caches: FileCaches,
): EditorDoc {
  const recent = caches.documents;
  // The path is part of the key: a document's errors name its file.
  const key = `${type}\0${filePath}`;
  const entries = recent.get(key) ?? [];
  const hit = entries.find((entry) => entry.text === text);
  if (hit) return hit.doc;
  const doc = editor.parse(text, filePath, caches);
  if (text.length > MAX_CACHED_CHARS_PER_FILE) return doc;
  entries.unshift({ text, doc });
  let chars = 0;
  const kept = entries.filter((entry, index) => {
    chars += entry.text.length;
    return index < RECENT_PER_FILE && chars <= MAX_CACHED_CHARS_PER_FILE;
  });
  recent.set(key, kept);
  return doc;
}
