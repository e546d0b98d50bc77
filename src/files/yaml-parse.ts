import { isScalar, parseDocument, visit, type Document } from 'yaml';

/**
 * True when some mapping repeats a key. Mirrors the check `yaml` makes itself (`uniqueKeys`, on by
 * default): scalar keys are equal when their values are (`===`), other keys only when they are the
 * same node, which two parsed keys never are.
 */
export function hasDuplicateKey(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        // NaN never equals itself under `===`, so `.nan` keys cannot collide there either.
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) {
          found = true;
          return visit.BREAK;
        }
        seen.add(key.value);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * `parseDocument` in linear time. `yaml` checks every new mapping key against all earlier keys of
 * its mapping, which is quadratic in the mapping's size and was most of the time a large values.yaml
 * took (bench/notes/code-decisions.md). Here the check is off and a Set does it instead; only a file
 * that fails either way is parsed again with the library's own check, so that its errors (which one
 * comes first, their wording and positions) are exactly the library's.
 */
export function parseYamlDocument(text: string): Document {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length === 0 && !hasDuplicateKey(doc)) return doc;
  return parseDocument(text);
}
