/**
 * encoding/json's Marshal output for JSON-shaped data, so the bytes (and so the digests) of an OCI
 * config blob or manifest are the ones Helm would push. Objects are structs whose keys are already
 * in Go field order, except under the keys in MAP_FIELDS, which are Go maps: encoding/json sorts
 * map keys by their bytes. Strings get Go's HTML-safe escapes (`<`, `>`, `&`, U+2028, U+2029).
 */

/** Fields of chart.Metadata and the OCI structs that are maps in Go (their contents too). */
const MAP_FIELDS = new Set(['annotations', 'import-values']);

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function quote(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

export function goJson(value: unknown, isMap = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v, isMap)).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (isMap) keys.sort(byteOrder);
  const members = keys.map((k) => `${quote(k)}:${goJson(object[k], isMap || MAP_FIELDS.has(k))}`);
  return `{${members.join(',')}}`;
}
