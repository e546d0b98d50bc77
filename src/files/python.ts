import { invalidFile, keyMissing, replaceRange, type Editor } from './editor.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Assignment {
  line: number;
  /** The text between the quotes, which keep their style because they are left alone. */
  range: [number, number];
}

/**
 * Top-level `NAME = "…"` or `NAME: str = '…'` assignments. Python cannot be parsed here, so any
 * column-0 assignment to NAME that is not a plain one-line string literal is refused rather than guessed at.
 */
function findAssignments(text: string, path: string, name: string): Assignment[] {
  const target = new RegExp(`^${escapeRegExp(name)}\\s*(?::|=(?!=))`);
  const literal = new RegExp(
    `^(${escapeRegExp(name)}(?:\\s*:[^=]+)?\\s*=\\s*[rRuU]?(['"]))([^'"\\\\\\n]*)\\2\\s*(?:#.*)?$`,
  );
  const found: Assignment[] = [];
  let offset = 0;
  for (const [index, raw] of text.split(/(?<=\n)/).entries()) {
    const body = raw.replace(/\r?\n$/, '');
    const lineStart = offset;
    offset += raw.length;
    if (!target.test(body)) continue;
    const match = literal.exec(body);
    if (!match) {
      throw invalidFile(path, `line ${index + 1} does not assign \`${name}\` a plain string literal`);
    }
    const start = lineStart + (match[1] as string).length;
    found.push({ line: index + 1, range: [start, start + (match[3] as string).length] });
  }
  return found;
}

export const pythonEditor: Editor = {
  parse(text, path) {
    const find = (name: string): Assignment | undefined => {
      const found = findAssignments(text, path, name);
      if (found.length > 1) {
        throw invalidFile(
          path,
          `\`${name}\` is assigned ${found.length} times (lines ${found.map((a) => a.line).join(', ')}); keep one`,
        );
      }
      return found[0];
    };
    return {
      get(key) {
        const hit = find(key);
        return hit && text.slice(...hit.range);
      },
      set(key, value) {
        const hit = find(key);
        if (!hit) throw keyMissing(path, key);
        if (/['"\\\r\n]/.test(value)) {
          throw invalidFile(path, `\`${value}\` cannot be written as a plain string literal`);
        }
        return replaceRange(text, hit.range, value);
      },
    };
  },
};
