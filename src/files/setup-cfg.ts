import { invalidFile, keyMissing, replaceRange, type Editor } from './editor.js';

interface Option {
  section: string;
  name: string;
  line: number;
  /** Where the value sits in the whole text, surrounding blanks excluded. */
  range: [number, number];
  continued: boolean;
}

const FILE_HINT =
  'This setup.cfg reads its version from elsewhere (`attr:` or `file:`): point the version file option at that module or file instead of setup.cfg.';

/** The INI grammar Python's configparser (and so setuptools) reads; one Option per `key = value`. */
function scanOptions(text: string, path: string): Option[] {
  const options: Option[] = [];
  let section: string | undefined;
  let current: { option: Option; indent: number } | undefined;
  let offset = 0;
  for (const [index, raw] of text.split(/(?<=\n)/).entries()) {
    const body = raw.replace(/\r?\n$/, '');
    const lineStart = offset;
    offset += raw.length;
    const stripped = body.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) continue;
    const indent = body.length - body.trimStart().length;
    if (current && indent > current.indent) {
      current.option.continued = true;
      continue;
    }
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      section = header[1] as string;
      current = undefined;
      continue;
    }
    const pair = /^\s*([^=:]*?)\s*[=:]\s*/.exec(body);
    if (!pair?.[1]) throw invalidFile(path, `line ${index + 1} is not a [section], key = value or comment`);
    if (section === undefined) throw invalidFile(path, `line ${index + 1} comes before any [section]`);
    const start = lineStart + pair[0].length;
    const end = Math.max(start, lineStart + body.trimEnd().length);
    const option: Option = { section, name: pair[1], line: index + 1, range: [start, end], continued: false };
    options.push(option);
    current = { option, indent };
  }
  return options;
}

export const setupCfgEditor: Editor = {
  parse(text, path) {
    const options = scanOptions(text, path);
    /** `metadata.version`: the section is everything before the last dot, as section names may hold dots. */
    const find = (key: string): Option | undefined => {
      const dot = key.lastIndexOf('.');
      const [section, name] = [key.slice(0, dot), key.slice(dot + 1).toLowerCase()];
      const hits = options.filter((o) => o.section === section && o.name.toLowerCase() === name);
      if (hits.length > 1) {
        const lines = hits.map((h) => h.line).join(', ');
        throw invalidFile(path, `\`${key}\` is set ${hits.length} times (lines ${lines})`);
      }
      const hit = hits[0];
      if (hit?.continued) {
        throw invalidFile(path, `\`${key}\` spans several lines (line ${hit.line}); write it on one line`);
      }
      if (hit && /^(attr|file):/.test(text.slice(...hit.range))) throw keyMissing(path, key, FILE_HINT);
      return hit;
    };
    return {
      get(key) {
        const hit = find(key);
        return hit && text.slice(...hit.range);
      },
      set(key, value) {
        const hit = find(key);
        if (!hit) throw keyMissing(path, key);
        if (/[\r\n]/.test(value)) throw invalidFile(path, `a value for \`${key}\` cannot span lines`);
        return replaceRange(text, hit.range, value);
      },
    };
  },
};
