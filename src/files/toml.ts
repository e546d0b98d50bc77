import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import { AUTO_KEY, invalidFile, keyMissing, replaceRange, splitKey, type Editor } from './editor.js';

const PEP621_KEY = 'project.version';
const POETRY_KEY = 'tool.poetry.version';
const DYNAMIC_HINT =
  'This pyproject.toml declares `dynamic = ["version"]`, so its version is set elsewhere: point the version file option at the file that holds it (the `__version__` module or setup.cfg) instead of pyproject.toml.';

/** The full dotted path of a key/value pair; undefined inside arrays of tables, which no version key lives in. */
function keyPathOf(pair: AST.TOMLKeyValue): string[] | undefined {
  const own = pair.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
  const parent = pair.parent;
  if (parent.type === 'TOMLTopLevelTable') return own;
  if (parent.type === 'TOMLTable') {
    const table = parent.resolvedKey;
    return table.every((k) => typeof k === 'string') ? [...(table as string[]), ...own] : undefined;
  }
  const holder = parent.parent;
  const base = holder.type === 'TOMLKeyValue' ? keyPathOf(holder) : undefined;
  return base && [...base, ...own];
}

function allPairs(program: AST.TOMLProgram): AST.TOMLKeyValue[] {
  const pairs: AST.TOMLKeyValue[] = [];
  const visit = (pair: AST.TOMLKeyValue): void => {
    pairs.push(pair);
    if (pair.value.type === 'TOMLInlineTable') pair.value.body.forEach(visit);
  };
  for (const item of program.body[0].body) {
    if (item.type === 'TOMLTable') item.body.forEach(visit);
    else visit(item);
  }
  return pairs;
}

/** Keeps a literal (`'…'`) string literal when the new value can be written that way. */
function render(value: string, style: 'basic' | 'literal'): string {
  if (style === 'literal' && !/['\p{Cc}]/u.test(value)) return `'${value}'`;
  const escaped = value.replace(/["\\\p{Cc}]/gu, (c) =>
    c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

export const tomlEditor: Editor = {
  parse(text, path) {
    let program: AST.TOMLProgram;
    try {
      program = parseTOML(text);
    } catch (error) {
      const line = (error as { lineNumber?: number }).lineNumber;
      throw invalidFile(path, `${(error as Error).message}${line ? ` at line ${line}` : ''}`);
    }
    const pairs = allPairs(program);
    const find = (key: string): AST.TOMLKeyValue | undefined => {
      const wanted = splitKey(key).join('\0');
      return pairs.find((pair) => keyPathOf(pair)?.join('\0') === wanted);
    };
    const data = getStaticTOMLValue(program) as { project?: { dynamic?: unknown } };
    const isDynamic = Array.isArray(data.project?.dynamic) && data.project.dynamic.includes('version');
    const resolveKey = (key: string): string => {
      if (key !== AUTO_KEY) return key;
      return find(PEP621_KEY) || !find(POETRY_KEY) ? PEP621_KEY : POETRY_KEY;
    };
    const valueAt = (key: string): AST.TOMLValue | undefined => {
      const concrete = resolveKey(key);
      const pair = find(concrete);
      if (!pair) {
        if (concrete === PEP621_KEY && isDynamic) throw keyMissing(path, concrete, DYNAMIC_HINT);
        return undefined;
      }
      if (pair.value.type !== 'TOMLValue') {
        const what = pair.value.type === 'TOMLArray' ? 'an array' : 'a table';
        throw invalidFile(path, `\`${concrete}\` holds ${what}, not a version`);
      }
      return pair.value;
    };
    return {
      resolveKey,
      get(key) {
        const node = valueAt(key);
        if (!node) return undefined;
        return node.kind === 'string' ? node.value : text.slice(...node.range);
      },
      set(key, value) {
        const node = valueAt(key);
        if (!node) throw keyMissing(path, resolveKey(key));
        return replaceRange(text, node.range, render(value, node.kind === 'string' ? node.style : 'basic'));
      },
    };
  },
};
