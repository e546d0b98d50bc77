import { isAlias, isScalar, parse, Scalar, type Document } from 'yaml';
import { invalidFile, keyMissing, replaceRange, splitKey, type Editor } from './editor.js';
import { parseYamlDocument } from './yaml-parse.js';

/**
 * Whether a plain scalar would be read back as this string; the answer depends on the value alone,
 * and a release renders the same few versions in every step (placeholder, plan, prepare, next dev
 * version), each by two YAML parses. Kept per process, bounded.
 */
const plainVerdicts = new Map<string, boolean>();

/** Plain only when both YAML 1.2 and 1.1 readers (Helm's) would read the text back as this string. */
function safeAsPlain(value: string): boolean {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(value)) return false;
  let safe = plainVerdicts.get(value);
  if (safe === undefined) {
    safe = (['1.1', '1.2'] as const).every((version) => parse(value, { version }) === value);
    if (plainVerdicts.size >= 256) plainVerdicts.clear();
    plainVerdicts.set(value, safe);
  }
  return safe;
}

function render(value: string, style: Scalar['type']): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  if (style === Scalar.PLAIN && safeAsPlain(value)) return value;
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

export const yamlEditor: Editor = {
  parse(text, path) {
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
        return replaceRange(text, [start, end], gap + render(value, node.type));
      },
    };
  },
};
