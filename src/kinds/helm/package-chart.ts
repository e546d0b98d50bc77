import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createTarGz } from '../../archive/tar-writer.js';
import { throwAll } from '../../errors.js';
import { goFormatFloat, v2Resolve } from './go-yaml.js';
import { loadChart, packagingProblems, type ChartLock, type LoadedChart } from './load-chart.js';
import {
  sanitizeMetadata,
  validateChart,
  type ChartDependency,
  type ChartMetadata,
} from './validate-chart.js';

/**
 * `helm package`, reproducibly. Helm v3 (pkg/chartutil/save.go) re-serialises Chart.yaml with
 * sigs.k8s.io/yaml: struct -> JSON (field names, omitempty) -> go-yaml v2 (keys sorted, sequences not
 * indented under their key, long plain text folded past column 80). The emitter below follows go-yaml
 * v2 for the shapes Chart.yaml and Chart.lock can take. Unlike Helm, every entry gets the caller's
 * mtime (Helm stamps time.Now()) and charts/ entries are written in name order (Helm: map order).
 */

export interface PackageChartInput {
  chartDir: string;
  /** How messages name the chart directory (relative to the repository); default chartDir. */
  label?: string;
  outDir: string;
  /** Seconds since the epoch, stamped on every entry. */
  mtime: number;
  /** Like `helm package --version` / `--app-version`. */
  version?: string;
  appVersion?: string;
}

export interface PackagedChart {
  name: string;
  version: string;
  path: string;
  sha256: string;
  size: number;
  /** Chart.yaml as JSON in Helm's field order (what an OCI config blob or index.yaml entry holds). */
  metadata: Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// ---- Go struct -> JSON, with encoding/json's omitempty ----------------------------------------

const empty = (v: unknown): boolean =>
  v === undefined ||
  v === '' ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Fields in Go declaration order; `!` marks the two Dependency fields without omitempty. */
function struct(v: object, fields: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const f of fields) {
    const keep = f.endsWith('!');
    const k = keep ? f.slice(0, -1) : f;
    const x = (v as Record<string, unknown>)[k];
    if (keep || !empty(x)) out[k] = (x ?? (keep ? '' : null)) as Json;
  }
  return out;
}

const dependencyJson = (d: ChartDependency | null): Json =>
  d &&
  struct(d, ['name!', 'version', 'repository!', 'condition', 'tags', 'enabled', 'import-values', 'alias']);

export function metadataJson(md: ChartMetadata, withDependencies = true): Record<string, Json> {
  const out = struct(
    {
      ...md,
      maintainers: md.maintainers?.map((m) => m && struct(m, ['name', 'email', 'url'])),
      dependencies: md.dependencies?.map(dependencyJson),
    },
    [
      'name',
      'home',
      'sources',
      'version',
      'description',
      'keywords',
      'maintainers',
      'icon',
      'apiVersion',
      'condition',
      'tags',
      'appVersion',
      'deprecated',
      'annotations',
      'kubeVersion',
      'dependencies',
      'type',
    ],
  );
  if (!withDependencies) delete out.dependencies; // Helm drops them from v1 charts' Chart.yaml
  return out;
}

const lockJson = (l: ChartLock): Record<string, Json> => ({
  generated: l.generated ?? '0001-01-01T00:00:00Z', // Go's zero time.Time
  digest: l.digest ?? '',
  dependencies: l.dependencies?.map(dependencyJson) ?? null,
});

// ---- go-yaml v2 emitter -------------------------------------------------------------------------

const WIDTH = 80;
const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const cp = (c: string): number => c.codePointAt(0)!;
/** libyaml's is_printable: tab, C1 controls, BOM and everything past U+FFFF are not. */
const printable = (c: string): boolean => {
  const n = cp(c);
  return (
    n === 0x0a ||
    (n >= 0x20 && n <= 0x7e) ||
    (n >= 0xa0 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd && n !== 0xfeff)
  );
};

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})| \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** go-yaml v2 writes text plain only if reading it back plain would give the same text. */
function plainRoundTrips(s: string): boolean {
  if (typeof v2Resolve(s) !== 'string' || s === '<<' || BASE60.test(s)) return false;
  const t = TIMESTAMP.exec(s);
  if (!t) return true;
  const d = new Date(Date.UTC(Number(t[1]), Number(t[2]) - 1, Number(t[3])));
  return d.getUTCMonth() + 1 !== Number(t[2]) || d.getUTCDate() !== Number(t[3]);
}

/** libyaml's yaml_emitter_analyze_scalar, reduced to the facts the style choice needs. */
function analyze(cs: string[]): { plain: boolean; single: boolean; block: boolean; multiline: boolean } {
  if (cs.length === 0) return { plain: true, single: true, block: false, multiline: false };
  const last = cs.length - 1;
  const at = { indicator: /^(---|\.\.\.)/.test(cs.join('')), edge: false, trailingSpace: false };
  const bad = { breaks: false, special: false, breakSpace: false, spaceBreak: false };
  cs.forEach((c, i) => {
    const prev = cs[i - 1];
    const beforeBlank = i === last || cs[i + 1] === ' ' || cs[i + 1] === '\t';
    const afterBlank = prev === undefined || prev === ' ' || prev === '\t' || prev === '\0' || isBreak(prev);
    if (i === 0 && '#,[]{}&*!|>\'"%@`'.includes(c)) at.indicator = true;
    if ((c === ':' || (i === 0 && (c === '?' || c === '-'))) && beforeBlank) at.indicator = true;
    if (c === '#' && afterBlank) at.indicator = true;
    if (!printable(c)) bad.special = true;
    if (c === ' ' || isBreak(c)) at.edge ||= i === 0 || i === last;
    if (c === ' ' && i === last) at.trailingSpace = true;
    if (c === ' ' && isBreak(prev)) bad.breakSpace = true;
    if (isBreak(c) && prev === ' ') bad.spaceBreak = true;
    if (isBreak(c)) bad.breaks = true;
  });
  return {
    plain: !(at.indicator || at.edge || Object.values(bad).some(Boolean)),
    single: !(bad.breakSpace || bad.spaceBreak || bad.special),
    block: !(at.trailingSpace || bad.spaceBreak || bad.special),
    multiline: bad.breaks,
  };
}

// Double-quoted escapes libyaml uses; other characters become \xXX, \uXXXX or \UXXXXXXXX.
const ESCAPE_FROM = [...'\0\x07\b\t\n\v\f\r\x1b"\\\x85\xa0\u2028\u2029'];
const ESCAPE_TO = [...'0abtnvfre"\\N_LP'];

class Emitter {
  out = '';
  col = 0;

  put(s: string): void {
    for (const c of s) {
      this.out += c;
      this.col = isBreak(c) ? 0 : this.col + 1;
    }
  }

  /** A new line at `indent`, unless a block scalar already ended the line. */
  line(indent: number): void {
    if (this.col > 0) this.put('\n');
    this.put(' '.repeat(indent));
  }

  /** `indent`: where continuation lines of this scalar start. Keys never fold. */
  scalar(v: Json, indent: number, key = false): void {
    if (!key) this.put(' ');
    if (v === null || typeof v === 'boolean') return this.put(String(v));
    if (typeof v === 'number') {
      const f = goFormatFloat(v, 64);
      const text = Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v).toString() : f;
      return this.put(
        ({ '+Inf': '.inf', '-Inf': '-.inf', NaN: '.nan' } as Record<string, string>)[text] ?? text,
      );
    }
    const s = String(v);
    const cs = [...s];
    const a = analyze(cs);
    let style = s.includes('\n') ? 'literal' : plainRoundTrips(s) ? 'plain' : 'double';
    if (key && a.multiline) style = 'double';
    if (style === 'plain' && (!a.plain || (key && s === ''))) style = 'single';
    if (style === 'single' && !a.single) style = 'double';
    if (style === 'literal' && (!a.block || key)) style = 'double';
    if (style === 'literal') return this.literal(cs, indent);
    const q = style === 'single' ? "'" : style === 'double' ? '"' : '';
    this.put(q);
    let spaces = false;
    cs.forEach((c, i) => {
      if (q === '"' && (!printable(c) || isBreak(c) || c === '"' || c === '\\')) {
        const n = cp(c);
        const hex = (w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
        const named = ESCAPE_TO[ESCAPE_FROM.indexOf(c)];
        this.put(`\\${named ?? (n <= 0xff ? `x${hex(2)}` : n <= 0xffff ? `u${hex(4)}` : `U${hex(8)}`)}`);
        spaces = false;
      } else if (c === ' ') {
        // Fold at the first space once past the width; quoted text keeps its edge spaces.
        const inner = q === '' || (i > 0 && i < cs.length - 1);
        if (!key && !spaces && this.col > WIDTH && inner && (q === '"' || cs[i + 1] !== ' ')) {
          this.line(indent);
          if (q === '"' && cs[i + 1] === ' ') this.put('\\');
        } else this.put(' ');
        spaces = true;
      } else {
        if (isBreak(cs[i - 1]) && !isBreak(c)) this.put(' '.repeat(indent));
        this.put(q === "'" && c === "'" ? "''" : c);
        spaces = false;
      }
    });
    this.put(q);
  }

  literal(cs: string[], indent: number): void {
    const last = cs.length - 1;
    const keep = isBreak(cs[last]) && (last === 0 || isBreak(cs[last - 1]));
    const hint = cs[0] === ' ' || isBreak(cs[0]) ? '2' : '';
    this.put(`|${hint}${isBreak(cs[last]) ? (keep ? '+' : '') : '-'}\n`);
    let atStart = true;
    for (const c of cs) {
      if (atStart && !isBreak(c)) this.put(' '.repeat(indent));
      this.put(c);
      atStart = isBreak(c);
    }
  }

  map(obj: { [k: string]: Json }, indent: number, inline: boolean): void {
    Object.keys(obj)
      .sort((a, b) => (goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0))
      .forEach((k, i) => {
        if (i > 0 || !inline) this.line(indent);
        this.scalar(k, indent + 2, true);
        this.put(':');
        this.value(obj[k]!, indent);
      });
  }

  /** A mapping value: nested mappings indent by 2, sequences stay at the key's column. */
  value(v: Json, indent: number): void {
    if (Array.isArray(v) && v.length > 0) this.seq(v, indent, false);
    else if (isObject(v) && Object.keys(v).length > 0) this.map(v, indent + 2, false);
    else if (Array.isArray(v) || isObject(v)) this.put(Array.isArray(v) ? ' []' : ' {}');
    else this.scalar(v, indent + 2);
  }

  seq(items: Json[], indent: number, inline: boolean): void {
    items.forEach((v, i) => {
      if (i > 0 || !inline) this.line(indent);
      this.put('-');
      if (Array.isArray(v) && v.length > 0) {
        this.put(' ');
        this.seq(v, indent + 2, true);
      } else if (isObject(v) && Object.keys(v).length > 0) {
        this.put(' ');
        this.map(v, indent + 2, true);
      } else if (Array.isArray(v) || isObject(v)) this.put(Array.isArray(v) ? ' []' : ' {}');
      else this.scalar(v, indent + 2);
    });
  }
}

const isObject = (v: Json): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /\p{Nd}/u.test(c);

/** go-yaml v2's key order (sorter.go): letters by code point, digit runs by numeric value. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i]!;
    const y = br[i]!;
    if (x === y) continue;
    if (isLetter(x) && isLetter(y)) return cp(x) < cp(y);
    if (isLetter(x) || isLetter(y)) return isLetter(y);
    let an = 0;
    let bn = 0;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; isDigit(ar[ai]); ai++) an = an * 10 + cp(ar[ai]!) - 48;
    for (; isDigit(br[bi]); bi++) bn = bn * 10 + cp(br[bi]!) - 48;
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return cp(x) < cp(y);
  }
  return ar.length < br.length;
}

/** yaml.Marshal of sigs.k8s.io/yaml (go-yaml v2 underneath) for JSON-shaped data. */
export function goYamlMarshal(v: Json): string {
  const e = new Emitter();
  if (isObject(v) && Object.keys(v).length > 0) e.map(v, 0, true);
  else if (Array.isArray(v) && v.length > 0) e.seq(v, 0, true);
  else e.value(v, -2);
  return e.col > 0 || e.out === '' ? `${e.out.replace(/^ /, '')}\n` : e.out;
}

// ---- the archive ----------------------------------------------------------------------------------

/** Helm's writeTarContents order, recursing into dependencies under `<name>/charts/`. */
function* entries(c: LoadedChart, prefix: string): Generator<{ path: string; data: Buffer }> {
  const md = c.metadata;
  const base = `${prefix}${md.name!}`;
  yield {
    path: `${base}/Chart.yaml`,
    data: Buffer.from(goYamlMarshal(metadataJson(md, md.apiVersion !== 'v1'))),
  };
  // Helm v3 writes Chart.lock (re-serialised) for apiVersion v2 only; v1 charts lose it.
  if (md.apiVersion === 'v2' && c.lock)
    yield { path: `${base}/Chart.lock`, data: Buffer.from(goYamlMarshal(lockJson(c.lock))) };
  if (c.values) yield { path: `${base}/values.yaml`, data: c.values };
  if (c.schema) yield { path: `${base}/values.schema.json`, data: c.schema };
  for (const f of [...c.templates, ...c.files]) yield { path: `${base}/${f.name}`, data: f.data };
  for (const d of c.dependencies) yield* entries(d, `${base}/charts/`);
}

/** Packages `chartDir` into `<outDir>/<name>-<version>.tgz`; the file appears complete or not at all. */
export async function packageChart(input: PackageChartInput): Promise<PackagedChart> {
  const label = input.label ?? input.chartDir;
  const chart = await loadChart(input.chartDir, label);
  const md = chart.metadata;
  if (input.version) md.version = input.version;
  if (input.appVersion) md.appVersion = input.appVersion;
  sanitizeMetadata(md); // Helm validates (and so sanitises) again when saving
  throwAll([...validateChart(md, path.join(label, 'Chart.yaml')), ...packagingProblems(chart)]);

  const name = md.name!;
  const version = md.version!;
  const final = path.join(input.outDir, `${name}-${version}.tgz`);
  await mkdir(input.outDir, { recursive: true });
  const tmp = path.join(input.outDir, `.${name}-${version}.tgz.${randomBytes(6).toString('hex')}.tmp`);
  const out = createWriteStream(tmp);
  try {
    const tar = createTarGz(out, { gzipComment: 'Helm' });
    for (const e of entries(chart, '')) {
      await tar.addFile({
        path: e.path,
        mtime: input.mtime,
        mode: 0o644,
        size: e.data.length,
        source: e.data,
      });
    }
    await tar.finish();
    await rename(tmp, final);
  } catch (e) {
    out.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
  const bytes = await readFile(final);
  return {
    name,
    version,
    path: final,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    metadata: metadataJson(md),
  };
}
