import { isAlias, isMap, isScalar, parse, Scalar, type Document, type Pair, type YAMLMap } from 'yaml';
import { invalidFile, keyMissing, replaceRange, splitKey, type Editor, type FileCaches } from './editor.js';
import { parseYamlDocument } from './yaml-parse.js';

/**
 * Plain only when both YAML 1.2 and 1.1 readers (Helm's) would read the text back as this string.
 * The answer depends on the value alone, and a release renders the same few versions in every step
 * (placeholder, plan, prepare, next dev version), each by two YAML parses: the plugin instance keeps
 * the verdicts, bounded.
 */
function safeAsPlain(value: string, plainVerdicts: FileCaches['plainScalars']): boolean {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(value)) return false;
  let safe = plainVerdicts.get(value);
  if (safe === undefined) {
    safe = (['1.1', '1.2'] as const).every((version) => parse(value, { version }) === value);
    if (plainVerdicts.size >= 256) plainVerdicts.clear();
    plainVerdicts.set(value, safe);
  }
  return safe;
}

function render(value: string, style: Scalar['type'], caches: FileCaches): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  if (style === Scalar.PLAIN && safeAsPlain(value, caches.plainScalars)) return value;
  // A JSON string is a valid YAML double-quoted scalar.
  return JSON.stringify(value);
}

function scalarAt(doc: Document, path: string, key: string): Scalar | undefined {
  const node = doc.getIn(splitKey(key), true);
  if (node === undefined || node === null) return undefined;
  if (isAlias(node)) {
    throw invalidFile(path, `\`${key}\` is an alias (\`*${node.source}\`); edit the anchored value`);
  }
  if (!isScalar(node)) throw invalidFile(path, `\`${key}\` holds a collection, not a version`);
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    throw invalidFile(path, `\`${key}\` is a block scalar; write the version on one line`);
  }
  return node;
}

/** The top-level block mapping a key can be added to or removed from; undefined for any other document. */
function topLevelMap(doc: Document, key: string): YAMLMap | undefined {
  const root = doc.contents;
  if (splitKey(key).length !== 1 || !isMap(root) || root.flow) return undefined;
  return root;
}

const keyOf = (pair: Pair): unknown => (isScalar(pair.key) ? pair.key.value : undefined);
const lineStart = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1;

/** Where a pair's text ends: its value's end, or its key's when the value is empty. */
function pairEnd(pair: Pair): number | undefined {
  const node = (pair.value ?? pair.key) as { range?: [number, number, number] } | null;
  return node?.range?.[1];
}

/**
 * A new `key: "value"` line after the chart's `version` line (else after the last entry), indented
 * like the first key. Double quotes, as Helm's documentation writes appVersion: a bare `1.10` would be
 * a number.
 */
function addLine(text: string, map: YAMLMap, key: string, value: string, path: string): string {
  const anchor = map.items.find((p) => keyOf(p) === 'version') ?? map.items.at(-1);
  const first = (map.items[0]?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
  const end = anchor ? pairEnd(anchor) : undefined;
  if (first === undefined || end === undefined) throw keyMissing(path, key);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^[ \t]*/.exec(text.slice(lineStart(text, first), first))![0];
  const line = `${indent}${key}: ${JSON.stringify(value)}`;
  // `end` may sit right after the line break (block collections) or before it (a scalar, a comment).
  const newline = text.indexOf('\n', Math.max(end - 1, 0));
  if (newline === -1) return `${text}${eol}${line}`;
  return `${text.slice(0, newline + 1)}${line}${eol}${text.slice(newline + 1)}`;
}

/** Removes a one-line top-level `key: value` (with its comment), the way addLine wrote it. */
function removeLine(text: string, map: YAMLMap, key: string, path: string): string {
  const pair = map.items.find((p) => keyOf(p) === key);
  const start = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
  const end = pair ? pairEnd(pair) : undefined;
  if (start === undefined || end === undefined) return text;
  const from = lineStart(text, start);
  const newline = text.indexOf('\n', end);
  const to = newline === -1 ? text.length : newline + 1;
  const alone =
    text.slice(from, start).trim() === '' &&
    !text.slice(start, end).includes('\n') &&
    /^[ \t]*(#.*)?\r?\n?$/.test(text.slice(end, to));
  if (!alone) throw invalidFile(path, `\`${key}\` is not alone on its line; remove it by hand`);
  // The last line of a file without a final line break: the line break before it goes with it.
  if (newline === -1 && from > 0) return text.slice(0, from - (text[from - 2] === '\r' ? 2 : 1));
  return text.slice(0, from) + text.slice(to);
}

export const yamlEditor: Editor = {
  parse(text, path, caches) {
    const doc = parseYamlDocument(text);
    const [problem] = doc.errors;
    if (problem) throw invalidFile(path, (problem.message.split('\n')[0] as string).replace(/:$/, ''));
    return {
      get(key) {
        const node = scalarAt(doc, path, key);
        if (!node?.range) return undefined;
        // Non-string scalars (`1.10`, `true`) are reported as written, not as JS numbers.
        return typeof node.value === 'string' ? node.value : text.slice(node.range[0], node.range[1]);
      },
      set(key, value) {
        const node = scalarAt(doc, path, key);
        if (!node?.range) throw keyMissing(path, key);
        // Replacing the source range keeps comments, blank lines and CRLF exactly as they were.
        const [start, end] = node.range;
        // An empty value (`appVersion:`) sits right after the colon or tag and needs a separating space.
        const gap = start === end ? ' ' : '';
        return replaceRange(text, [start, end], gap + render(value, node.type, caches));
      },
      add(key, value) {
        const map = topLevelMap(doc, key);
        if (!map) throw keyMissing(path, key, 'Only a top-level key of a block mapping can be added.');
        return addLine(text, map, key, value, path);
      },
      remove(key) {
        const map = topLevelMap(doc, key);
        if (!map) throw invalidFile(path, `\`${key}\` is not a top-level key; remove it by hand`);
        return removeLine(text, map, key, path);
      },
    };
  },
};
