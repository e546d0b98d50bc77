import { invalidFile, keyMissing, replaceRange, splitKey, type Editor } from './editor.js';

type Kind = 'string' | 'object' | 'array' | 'scalar';
interface Located {
  path: string[];
  range: [number, number];
  kind: Kind;
}

/**
 * Finds where each value of an already validated JSON text sits, with its key path, so an edit can
 * replace one token and leave indentation, spacing, key order and the final newline untouched.
 */
function locateValues(text: string): Located[] {
  const found: Located[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const skipString = (): void => {
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const value = (path: string[]): void => {
    skipSpace();
    const start = i;
    const c = text[i];
    let kind: Kind = 'scalar';
    if (c === '"') {
      kind = 'string';
      skipString();
    } else if (c === '{' || c === '[') {
      kind = c === '{' ? 'object' : 'array';
      container(path, c === '{');
    } else {
      while (i < text.length && !',]} \t\r\n'.includes(text[i] as string)) i++;
    }
    found.push({ path, range: [start, i], kind });
  };
  const container = (path: string[], isObject: boolean): void => {
    i++;
    for (let index = 0; ; index++) {
      skipSpace();
      if (text[i] === '}' || text[i] === ']') break;
      let key = String(index);
      if (isObject) {
        const keyStart = i;
        skipString();
        key = JSON.parse(text.slice(keyStart, i)) as string;
        skipSpace();
        i++; // the colon
      }
      value([...path, key]);
      skipSpace();
      if (text[i] === ',') i++;
    }
    i++;
  };
  value([]);
  return found;
}

export const jsonEditor: Editor = {
  parse(text, path) {
    try {
      JSON.parse(text);
    } catch (error) {
      // Node 20 reports only a character offset; a line number is what a person looks for.
      const message = (error as Error).message.replace(/at position (\d+)$/, (all, offset: string) => {
        const line = text.slice(0, Number(offset)).split('\n').length;
        return `${all} (line ${line})`;
      });
      throw invalidFile(path, message);
    }
    const values = locateValues(text);
    // JSON.parse keeps the last of duplicate keys, so the scanner does too.
    const find = (key: string): Located | undefined => {
      const wanted = splitKey(key).join('\0');
      return values.findLast((v) => v.path.join('\0') === wanted);
    };
    return {
      get(key) {
        const hit = find(key);
        if (!hit) return undefined;
        if (hit.kind === 'object' || hit.kind === 'array') {
          throw invalidFile(path, `\`${key}\` holds an ${hit.kind}, not a version`);
        }
        const raw = text.slice(...hit.range);
        return hit.kind === 'string' ? (JSON.parse(raw) as string) : raw;
      },
      set(key, value) {
        const hit = find(key);
        if (!hit) throw keyMissing(path, key);
        return replaceRange(text, hit.range, JSON.stringify(value));
      },
    };
  },
};
