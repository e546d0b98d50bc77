import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { stackError, throwAll } from '../../errors.js';
import { HelmIgnore } from './helmignore.js';
import {
  sanitizeMetadata,
  validateChart,
  type ChartDependency,
  type ChartMetadata,
} from './validate-chart.js';

/**
 * Loads a chart directory the way Helm v3's loader does (pkg/chart/loader: LoadDir, LoadFiles,
 * LoadArchive), so that packaging sees exactly the files and metadata `helm package` would.
 */

export interface ChartFile {
  name: string;
  data: Buffer;
}

export interface ChartLock {
  /** RFC 3339 text as Go's time.Time re-marshals it; absent = Go's zero time. */
  generated?: string;
  digest?: string;
  dependencies?: (ChartDependency | null)[];
}

export interface LoadedChart {
  metadata: ChartMetadata;
  lock?: ChartLock;
  /** values.yaml bytes as read (BOM removed). */
  values?: Buffer;
  schema?: Buffer;
  templates: ChartFile[];
  files: ChartFile[];
  dependencies: LoadedChart[];
  /** Where the chart came from, for messages. */
  source: string;
}

const MAX_FILE = 5 * 1024 * 1024; // Helm's MaxDecompressedFileSize
const MAX_CHART = 100 * 1024 * 1024; // Helm's MaxDecompressedChartSize
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const stripBom = (b: Buffer): Buffer => (b.subarray(0, 3).equals(BOM) ? b.subarray(3) : b);
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
/** Go's filepath.Ext: from the last dot of the last element, even when the name starts with it. */
const goExt = (name: string): string => {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.includes('.') ? base.slice(base.lastIndexOf('.')) : '';
};

// ---- YAML as sigs.k8s.io/yaml + go-yaml v2 read it --------------------------------------------

/** A YAML number, remembering whether go-yaml saw an int or a float (they print differently). */
export class GoNum {
  constructor(
    readonly value: number,
    readonly float: boolean,
  ) {}
}
type GoValue = null | boolean | string | GoNum | GoValue[] | Map<string, GoValue>;

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

class DecodeError extends Error {}

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

function toGo(node: unknown, doc: Document.Parsed): GoValue {
  if (isAlias(node)) return toGo(node.resolve(doc), doc);
  if (isScalar(node)) {
    const text = String(node.value ?? '');
    // go-yaml resolves untagged plain text and text tagged with a core scalar tag; the rest stays text.
    const core = /^tag:yaml\.org,2002:(bool|int|float|null|timestamp)$/.test(node.tag ?? '');
    return core || (!node.tag && node.type === 'PLAIN') ? v2Resolve(text) : text;
  }
  if (isSeq(node)) return node.items.map((n) => toGo(n, doc));
  if (isMap(node)) {
    const out = new Map<string, GoValue>();
    const merged = new Map<string, GoValue>();
    for (const pair of node.items) {
      const value = toGo(pair.value, doc);
      if (isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<') {
        // YAML merge key: merged entries never override explicit ones.
        for (const m of Array.isArray(value) ? value : [value]) {
          if (m instanceof Map) for (const [k, v] of m) merged.set(k, v);
        }
        continue;
      }
      out.set(jsonKey(toGo(pair.key, doc)), value);
    }
    for (const [k, v] of merged) if (!out.has(k)) out.set(k, v);
    return out;
  }
  return null;
}

/** Parses the first YAML document (go-yaml v2 reads only that one) into Go-typed values. */
function parseYaml(text: string): GoValue {
  const [doc] = parseAllDocuments(text, { schema: 'failsafe', version: '1.1', uniqueKeys: false });
  if (!doc || Array.isArray(doc)) return null;
  const [err] = doc.errors;
  if (err) throw new DecodeError(err.message.split('\n')[0]);
  return toGo(doc.contents, doc);
}

/** encoding/json cannot write NaN or infinities; Helm's YAML-to-JSON step fails on them. */
function jsonable(v: GoValue): void {
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

// ---- decoding into Helm's Go structs ----------------------------------------------------------

type FieldKind = 'string' | 'bool' | 'strings' | 'stringMap' | 'anyList' | 'time' | { list: Spec };
type Spec = Record<string, FieldKind>;

const kinds = (kind: FieldKind, names: string): Spec =>
  Object.fromEntries(names.split(' ').map((n) => [n, kind]));
const MAINTAINER = kinds('string', 'name email url');
const DEPENDENCY: Spec = {
  ...kinds('string', 'name version repository condition alias'),
  ...{ tags: 'strings', enabled: 'bool', 'import-values': 'anyList' },
};
const METADATA: Spec = {
  ...kinds(
    'string',
    'name home version description icon apiVersion condition tags appVersion kubeVersion type',
  ),
  ...{ sources: 'strings', keywords: 'strings', deprecated: 'bool', annotations: 'stringMap' },
  ...{ maintainers: { list: MAINTAINER }, dependencies: { list: DEPENDENCY } },
};
const LOCK: Spec = { generated: 'time', digest: 'string', dependencies: { list: DEPENDENCY } };

const typeName = (v: GoValue): string =>
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
function decodeStruct(
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

// ---- reading a directory and a chart archive --------------------------------------------------

const invalid = (p: string, reason: string): Error => stackError('EINVALIDCHART', { path: p, reason });

/** Helm's LoadDir walk: lexical order per directory, links followed, .helmignore applied on the way. */
async function walk(root: string, rules: HelmIgnore, problems: Error[]): Promise<ChartFile[]> {
  const files: ChartFile[] = [];
  const visit = async (dir: string, rel: string, ancestors: Set<string>): Promise<void> => {
    for (const name of (await readdir(dir)).sort(byteOrder)) {
      const abs = path.join(dir, name);
      const relName = rel ? `${rel}/${name}` : name;
      const info = await stat(abs).catch((e: Error) => e);
      if (info instanceof Error) {
        problems.push(invalid(abs, `cannot read it (${info.message})`));
      } else if (info.isDirectory()) {
        if (rules.ignores(relName, true)) continue;
        const real = await realpath(abs);
        if (ancestors.has(real))
          problems.push(invalid(abs, 'a symbolic link loops back to a parent directory'));
        else await visit(abs, relName, new Set([...ancestors, real]));
      } else if (!rules.ignores(relName, false)) {
        if (!info.isFile())
          problems.push(invalid(abs, 'it is not a regular file; Helm refuses devices, sockets and pipes'));
        else if (info.size > MAX_FILE)
          problems.push(invalid(abs, `it is larger than Helm's limit of ${MAX_FILE} bytes`));
        else files.push({ name: relName, data: stripBom(await readFile(abs)) });
      }
    }
  };
  await visit(root, '', new Set([await realpath(root)]));
  return files;
}

const tarString = (b: Buffer): string => b.toString('utf8', 0, b.includes(0) ? b.indexOf(0) : b.length);

function tarNumber(b: Buffer): number {
  if (b[0]! & 0x80) {
    // GNU base-256, for values too large for octal
    let n = BigInt(b[0]! & 0x7f);
    for (const byte of b.subarray(1)) n = (n << 8n) | BigInt(byte);
    return Number(n);
  }
  const s = tarString(b).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Helm's LoadArchiveFiles: drops the top folder, refuses unsafe paths, skips directories. */
export function readChartArchive(tgz: Buffer): ChartFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz);
  } catch (e) {
    throw new DecodeError(`it is not a gzip archive (${(e as Error).message})`);
  }
  const files: ChartFile[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let budget = MAX_CHART;
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const type = String.fromCharCode(h[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : tarNumber(h.subarray(124, 136));
    if (off + 512 + size > tar.length) throw new DecodeError('the archive is truncated');
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      for (const rec of body.toString('utf8').matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) pax[rec[1]!] = rec[2]!;
      continue;
    }
    if (type === 'L') longName = tarString(body);
    if (type === 'L' || type === 'K' || type === 'g') continue;
    const prefix =
      h.subarray(257, 265).toString('latin1') === 'ustar\u000000' ? tarString(h.subarray(345, 500)) : '';
    const raw = pax.path ?? longName ?? (prefix ? `${prefix}/` : '') + tarString(h.subarray(0, 100));
    pax = {};
    longName = undefined;
    if (
      type === '5' ||
      (type === '\0' && raw.endsWith('/')) ||
      (tarNumber(h.subarray(100, 108)) & 0o170000) === 0o040000
    )
      continue;
    const delim = raw.includes('\\') ? '\\' : '/';
    const parts = raw.split(delim);
    let name = parts.slice(1).join('/');
    if (name.startsWith('/')) throw new DecodeError('it contains absolute paths');
    name = path.posix.normalize(name).replace(/(.)\/$/, '$1');
    if (name === '.') throw new DecodeError(`it holds ${JSON.stringify(raw)} outside the chart's folder`);
    if (name.startsWith('..')) throw new DecodeError('it references a parent directory');
    if (/^[a-zA-Z]:\//.test(name)) throw new DecodeError('it contains a drive-letter path');
    if (parts[0] === 'Chart.yaml') throw new DecodeError('its Chart.yaml is not inside a folder');
    if (size > MAX_FILE || size >= budget) throw new DecodeError('it is larger than Helm allows');
    budget -= size;
    files.push({ name, data: stripBom(Buffer.from(body)) });
  }
  if (files.length === 0) throw new DecodeError('it holds no files');
  return files;
}

// ---- Helm's LoadFiles ---------------------------------------------------------------------------

type Where = (name: string) => string;

function decodeInto(
  f: ChartFile,
  spec: Spec,
  at: Where,
  problems: Error[],
  into?: Record<string, unknown>,
): Record<string, unknown> | undefined {
  try {
    return decodeStruct(parseYaml(f.data.toString('utf8')), spec, '', into);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    problems.push(invalid(at(f.name), e.message));
    return undefined;
  }
}

function loadFiles(
  files: ChartFile[],
  at: Where,
  problems: Error[],
  parent?: string,
): LoadedChart | undefined {
  const chartYaml = files.filter((f) => f.name === 'Chart.yaml').at(-1);
  if (!chartYaml) {
    problems.push(stackError('ECHARTMISSING', { path: at(''), parent }));
    return undefined;
  }
  const before = problems.length;
  const metadata: ChartMetadata = decodeInto(chartYaml, METADATA, at, problems) ?? {};
  const parsed = problems.length === before;
  metadata.apiVersion ||= 'v1'; // Helm 2 charts may omit apiVersion; Helm 3 assumes v1
  const chart: LoadedChart = { metadata, templates: [], files: [], dependencies: [], source: at('') };
  const subcharts = new Map<string, ChartFile[]>();
  const v1 = (): boolean => metadata.apiVersion === 'v1';
  for (const f of files) {
    if (f.name === 'Chart.yaml') continue;
    else if (f.name === 'Chart.lock' || f.name === 'requirements.lock') {
      chart.lock = decodeInto(f, LOCK, at, problems) ?? {};
      if (f.name === 'requirements.lock' && v1()) chart.files.push(f); // v1 charts keep the old files
    } else if (f.name === 'requirements.yaml') {
      // Helm reads it over Chart.yaml's fields (dependencies, usually).
      decodeInto(f, METADATA, at, problems, metadata as Record<string, unknown>);
      if (v1()) chart.files.push(f);
    } else if (f.name === 'values.yaml') {
      try {
        const v = parseYaml(f.data.toString('utf8'));
        if (v !== null && !(v instanceof Map))
          throw new DecodeError(`it must be a mapping, not ${typeName(v)}`);
        jsonable(v);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        problems.push(invalid(at(f.name), e.message));
      }
      chart.values = f.data;
    } else if (f.name === 'values.schema.json') chart.schema = f.data;
    else if (f.name.startsWith('templates/')) chart.templates.push(f);
    else if (f.name.startsWith('charts/') && goExt(f.name) !== '.prov') {
      const rest = f.name.slice('charts/'.length);
      const cname = rest.split('/')[0]!;
      subcharts.set(cname, [...(subcharts.get(cname) ?? []), { name: rest, data: f.data }]);
    } else chart.files.push(f);
  }
  sanitizeMetadata(metadata);
  if (parsed) problems.push(...validateChart(metadata, at('Chart.yaml')));
  // Helm visits charts/ in Go map order, i.e. at random; sorting by entry name keeps packages stable.
  for (const [cname, list] of [...subcharts].sort(([a], [b]) => byteOrder(a, b))) {
    if (cname.startsWith('_') || cname.startsWith('.')) continue; // Helm skips these on purpose
    const where = at(`charts/${cname}`);
    let dep: LoadedChart | undefined;
    if (goExt(cname) === '.tgz') {
      try {
        if (list[0]!.name !== cname) throw new DecodeError('it is a directory, not an archive');
        const inArchive = (n: string): string => (n ? `${where}:${n}` : where);
        dep = loadFiles(readChartArchive(list[0]!.data), inArchive, problems, chart.source);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        problems.push(invalid(where, e.message));
      }
    } else {
      const inside = list
        .filter((f) => f.name.includes('/'))
        .map((f) => ({ ...f, name: f.name.slice(cname.length + 1) }));
      if (inside.length === 0)
        problems.push(
          invalid(
            where,
            'only chart directories and .tgz archives may sit in `charts/`; move the file or list it in .helmignore',
          ),
        );
      else dep = loadFiles(inside, (n) => path.join(where, n), problems, chart.source);
    }
    if (dep) chart.dependencies.push(dep);
  }
  return chart;
}

async function load(chartDir: string, problems: Error[]): Promise<LoadedChart | undefined> {
  const root = path.resolve(chartDir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    problems.push(stackError('ECHARTMISSING', { path: chartDir }));
    return undefined;
  }
  // Only the top .helmignore counts; sub-charts' own .helmignore files are packaged as plain files.
  const ignoreFile = path.join(root, '.helmignore');
  const text = await readFile(ignoreFile, 'utf8').catch(() => undefined);
  const { rules, problems: bad } = HelmIgnore.parse(text ?? '');
  for (const b of bad) problems.push(stackError('EHELMIGNORE', { path: ignoreFile, ...b }));
  if (bad.length > 0) return undefined;
  rules.addDefaults();
  const files = await walk(root, rules, problems);
  return loadFiles(files, (n) => path.join(chartDir, n), problems);
}

/** Problems Helm only finds when packaging: dependencies listed but absent, broken values.schema.json. */
export function packagingProblems(chart: LoadedChart): Error[] {
  const problems: Error[] = [];
  const present = new Set(chart.dependencies.map((d) => d.metadata.name));
  const missing = (chart.metadata.dependencies ?? [])
    .filter((d) => d && !present.has(d.name))
    .map((d) => d!.name);
  if (missing.length > 0) {
    problems.push(
      invalid(
        path.join(chart.source, 'Chart.yaml'),
        `dependencies ${missing.join(', ')} are listed but missing from charts/ (run \`helm dependency build\` first)`,
      ),
    );
  }
  const schemas = (c: LoadedChart): void => {
    if (c.schema) {
      try {
        JSON.parse(c.schema.toString('utf8'));
      } catch (e) {
        problems.push(
          invalid(
            path.join(c.source, 'values.schema.json'),
            `it is not valid JSON (${(e as Error).message})`,
          ),
        );
      }
    }
    c.dependencies.forEach(schemas);
  };
  schemas(chart);
  return problems;
}

/** Loads and validates a chart directory; throws every problem found (StackError or AggregateError). */
export async function loadChart(chartDir: string): Promise<LoadedChart> {
  const problems: Error[] = [];
  const chart = await load(chartDir, problems);
  throwAll(problems);
  return chart!;
}

/** For verifyConditions: everything `helm package` would refuse, without writing anything. */
export async function checkChart(chartDir: string): Promise<Error[]> {
  const problems: Error[] = [];
  try {
    const chart = await load(chartDir, problems);
    if (chart && problems.length === 0) problems.push(...packagingProblems(chart));
  } catch (e) {
    problems.push(invalid(chartDir, (e as Error).message));
  }
  return problems;
}
