import type * as Yaml from 'yaml';
import type { Document } from 'yaml';

export type YamlLib = typeof Yaml;

/**
 * The yaml package is loaded the first time a chart is read, not with the plugin, which most steps
 * and configurations without a chart never need it for (its load time: bench/notes/overhead.md).
 * parseYaml is synchronous, so the async entry points that lead to it load it and hand it down.
 */
export function loadYaml(): Promise<YamlLib> {
  return import('yaml');
}

/**
 * YAML read the way Helm reads it: sigs.k8s.io/yaml over go-yaml v2 into Go-typed values, then
 * encoding/json's rules for decoding those values into Go structs.
 */

/** A file that cannot be read the way Helm reads it; callers turn it into a problem with a path. */
export class DecodeError extends Error {}

/** Go's sort.Strings order: by UTF-8 bytes, not by UTF-16 code units. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A YAML number, remembering whether go-yaml saw an int or a float (they print differently). */
export class GoNum {
  constructor(
    readonly value: number,
    readonly float: boolean,
  ) {}
}
export type GoValue = null | boolean | string | GoNum | GoValue[] | Map<string, GoValue>;

/** Go's strconv.FormatFloat(x, 'g', -1, bits): shortest digits, exponent form outside 1e-4..1e6. */
export function goFormatFloat(x: number, bits: 32 | 64): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const f = bits === 32 ? Math.fround(x) : x;
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let e = f.toExponential();
  for (let p = 0; bits === 32 && p < 9; p++) {
    e = f.toExponential(p);
    if (Math.fround(Number(e)) === f) break;
  }
  const [mant = '', ex = '0'] = e.replace(/^-/, '').split('e');
  const digits = mant.replace('.', '');
  const exp = Number(ex);
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

const V2_CONST = new Map<string, GoValue>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s) => [s, false] as const,
  ),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, new GoNum(NaN, true)] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, new GoNum(Infinity, true)] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, new GoNum(-Infinity, true)] as const),
]);

const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|0|[1-9][0-9]*)$/;
const V2_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * go-yaml v2's resolve() for an untagged plain scalar (YAML 1.1 booleans, Go integer syntax).
 * Timestamps are not special here: decoded into interface{}, go-yaml v2 hands them over as text.
 */
export function v2Resolve(s: string): GoValue {
  if (V2_CONST.has(s)) return V2_CONST.get(s)!;
  if (/^\.[0-9]/.test(s) && V2_FLOAT.test(s)) return new GoNum(Number(s), true);
  if (!/^[-+0-9]/.test(s)) return s;
  const plain = s.replace(/_/g, '');
  if (GO_INT.test(plain)) {
    const neg = plain.startsWith('-');
    const body = plain.replace(/^[-+]/, '').replace(/^0(?=[0-7])/, '0o');
    const n = BigInt(body) * (neg ? -1n : 1n);
    if (n >= -(2n ** 63n) && n < 2n ** 64n) return new GoNum(Number(n), false);
  }
  if (V2_FLOAT.test(plain) && Number.isFinite(Number(plain))) return new GoNum(Number(plain), true);
  return s;
}

/** A map key as sigs.k8s.io/yaml turns it into a JSON object key. */
function jsonKey(k: GoValue): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean') return String(k);
  if (k instanceof GoNum) {
    if (!k.float) return String(k.value);
    const s = goFormatFloat(k.value, 32);
    return ({ '+Inf': '.inf', '-Inf': '-.inf', NaN: '.nan' } as Record<string, string>)[s] ?? s;
  }
  throw new DecodeError(`a mapping key is ${k === null ? 'null' : 'not a scalar'}`);
}

function toGo(node: unknown, doc: Document.Parsed, y: YamlLib): GoValue {
  if (y.isAlias(node)) return toGo(node.resolve(doc), doc, y);
  if (y.isScalar(node)) {
    const text = String(node.value ?? '');
    // go-yaml resolves untagged plain text and text tagged with a core scalar tag; the rest stays text.
    const core = /^tag:yaml\.org,2002:(bool|int|float|null|timestamp)$/.test(node.tag ?? '');
    return core || (!node.tag && node.type === 'PLAIN') ? v2Resolve(text) : text;
  }
  if (y.isSeq(node)) return node.items.map((n) => toGo(n, doc, y));
  if (y.isMap(node)) {
    const out = new Map<string, GoValue>();
    const merged = new Map<string, GoValue>();
    for (const pair of node.items) {
      const value = toGo(pair.value, doc, y);
      if (y.isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<') {
        // YAML merge key: merged entries never override explicit ones.
        for (const m of Array.isArray(value) ? value : [value]) {
          if (m instanceof Map) for (const [k, v] of m) merged.set(k, v);
        }
        continue;
      }
      out.set(jsonKey(toGo(pair.key, doc, y)), value);
    }
    for (const [k, v] of merged) if (!out.has(k)) out.set(k, v);
    return out;
  }
  return null;
}

/** Parses the first YAML document (go-yaml v2 reads only that one) into Go-typed values. */
export function parseYaml(text: string, y: YamlLib): GoValue {
  const [doc] = y.parseAllDocuments(text, { schema: 'failsafe', version: '1.1', uniqueKeys: false });
  if (!doc || Array.isArray(doc)) return null;
  const [err] = doc.errors;
  if (err) throw new DecodeError(err.message.split('\n')[0]);
  return toGo(doc.contents, doc, y);
}

/** encoding/json cannot write NaN or infinities; Helm's YAML-to-JSON step fails on them. */
export function jsonable(v: GoValue): void {
  if (v instanceof GoNum && !Number.isFinite(v.value)) throw new DecodeError('it holds .nan or .inf');
  if (Array.isArray(v)) v.forEach(jsonable);
  if (v instanceof Map) v.forEach(jsonable);
}

const plain = (v: GoValue): unknown =>
  v instanceof GoNum
    ? v.value
    : Array.isArray(v)
      ? v.map(plain)
      : v instanceof Map
        ? Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]))
        : v;

// ---- decoding into Go structs -----------------------------------------------------------------

type FieldKind = 'string' | 'bool' | 'strings' | 'stringMap' | 'anyList' | 'time' | { list: Spec };
/** A Go struct as encoding/json sees it: JSON field name -> the Go type behind it. */
export type Spec = Record<string, FieldKind>;

/** Fields of one kind, named in a space-separated list. */
export const fieldsOf = (kind: FieldKind, names: string): Spec =>
  Object.fromEntries(names.split(' ').map((n) => [n, kind]));

export const typeName = (v: GoValue): string =>
  v instanceof Map
    ? 'a mapping'
    : Array.isArray(v)
      ? 'a list'
      : v instanceof GoNum
        ? 'a number'
        : typeof v === 'boolean'
          ? 'a boolean'
          : 'text';

/** sigs.k8s.io/yaml hands numbers and booleans to string fields as text. */
function goString(v: GoValue, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoNum) return v.float ? goFormatFloat(v.value, 32) : String(v.value);
  if (v === null) return '';
  throw new DecodeError(`\`${field}\` must be text, not ${typeName(v)}`);
}

// Go's time.Time JSON form is RFC 3339; it is written back with trailing zero fractions trimmed and "Z" for UTC.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-](\d{2}):(\d{2}))$/;
function goTime(v: GoValue, field: string): string {
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  const [, y, mo, d, h, mi, s, frac = '', zone = '', zh = '0', zm = '0'] = m ?? [];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (
    !m ||
    date.getUTCMonth() + 1 !== Number(mo) ||
    date.getUTCDate() !== Number(d) ||
    date.getUTCMinutes() !== Number(mi) ||
    Number(h) > 23 ||
    Number(zh) > 23 ||
    Number(zm) > 59
  ) {
    throw new DecodeError(`\`${field}\` must be an RFC 3339 time`);
  }
  const f = frac.slice(0, 9).replace(/0+$/, '');
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${f ? `.${f}` : ''}${zone.slice(1) === '00:00' ? 'Z' : zone}`;
}

function decodeField(kind: FieldKind, v: GoValue, field: string, old: unknown): unknown {
  if (v === null) return old; // JSON null leaves a Go field untouched
  if (kind === 'string') return goString(v, field);
  if (kind === 'time') return goTime(v, field);
  if (kind === 'bool') {
    if (typeof v !== 'boolean') throw new DecodeError(`\`${field}\` must be true or false`);
    return v;
  }
  if (kind === 'stringMap') {
    if (!(v instanceof Map)) throw new DecodeError(`\`${field}\` must be a mapping`);
    const out: Record<string, string> = { ...(old as Record<string, string> | undefined) }; // JSON merges maps
    for (const [k, x] of v) out[k] = goString(x, `${field}.${k}`);
    return out;
  }
  if (!Array.isArray(v)) throw new DecodeError(`\`${field}\` must be a list, not ${typeName(v)}`);
  if (kind === 'strings') return v.map((x, i) => goString(x, `${field}[${i}]`));
  if (kind === 'anyList') {
    v.forEach(jsonable);
    return v.map(plain);
  }
  return v.map((x, i) => (x === null ? null : decodeStruct(x, kind.list, `${field}[${i}]`)));
}

/**
 * encoding/json into a Go struct: keys match field names exactly or ignoring ASCII case, the last
 * match (in Go's sorted key order) wins, unknown keys are dropped. `into` receives the fields.
 */
export function decodeStruct(
  v: GoValue,
  spec: Spec,
  where: string,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  if (v === null) return into;
  if (!(v instanceof Map))
    throw new DecodeError(`${where || 'the document'} must be a mapping, not ${typeName(v)}`);
  const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const key of [...v.keys()].sort(byteOrder)) {
    const value = v.get(key)!;
    const field =
      Object.keys(spec).find((f) => f === key) ?? Object.keys(spec).find((f) => lower(f) === lower(key));
    const name = where ? `${where}.${key}` : key;
    if (field === undefined) jsonable(value);
    else {
      const decoded = decodeField(spec[field]!, value, name, into[field]);
      if (decoded !== undefined) into[field] = decoded;
    }
  }
  return into;
}
