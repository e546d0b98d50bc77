import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { throwAll } from '../../errors.js';
import { followsFrom } from '../../files/index.js';
import { readChartArchive, readChartArchiveFile } from './chart-archive.js';
import { MAX_FILE, stripBom, type ChartFile } from './chart-file.js';
import {
  byteOrder,
  decodeStruct,
  DecodeError,
  fieldsOf,
  jsonable,
  loadYaml,
  parseYaml,
  typeName,
  type Spec,
  type YamlLib,
} from './go-yaml.js';
import { HelmIgnore } from './helmignore.js';
import {
  sanitizeMetadata,
  validateChart,
  type ChartDependency,
  type ChartMetadata,
} from './validate-chart.js';
import { stackError } from './errors.js';

/**
 * Loads a chart directory the way Helm v3's loader does (pkg/chart/loader: LoadDir, LoadFiles,
 * LoadArchive), so that packaging sees exactly the files and metadata `helm package` would.
 */

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

/** Go's filepath.Ext: from the last dot of the last element, even when the name starts with it. */
const goExt = (name: string): string => {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.includes('.') ? base.slice(base.lastIndexOf('.')) : '';
};

// Helm's Go structs behind Chart.yaml, requirements.yaml and Chart.lock.
const MAINTAINER = fieldsOf('string', 'name email url');
const DEPENDENCY: Spec = {
  ...fieldsOf('string', 'name version repository condition alias'),
  ...{ tags: 'strings', enabled: 'bool', 'import-values': 'anyList' },
};
const METADATA: Spec = {
  ...fieldsOf(
    'string',
    'name home version description icon apiVersion condition tags appVersion kubeVersion type',
  ),
  ...{ sources: 'strings', keywords: 'strings', deprecated: 'bool', annotations: 'stringMap' },
  ...{ maintainers: { list: MAINTAINER }, dependencies: { list: DEPENDENCY } },
};
const LOCK: Spec = { generated: 'time', digest: 'string', dependencies: { list: DEPENDENCY } };

// ---- reading a directory ----------------------------------------------------------------------

// A chart file that is also a version file (Chart.yaml, values.yaml) and cannot be parsed is reported
// once, by the version file check: this error then only repeats it.
const invalid = (p: string, reason: string): Error =>
  followsFrom(stackError('EINVALIDCHART', { path: p, reason }), [p]);

/**
 * Helm's LoadDir walk: lexical order per directory, links followed, .helmignore applied on the way.
 * `label` names the chart directory in messages (its path relative to the repository).
 */
async function walk(root: string, label: string, rules: HelmIgnore, problems: Error[]): Promise<ChartFile[]> {
  const files: ChartFile[] = [];
  const visit = async (dir: string, rel: string, ancestors: Set<string>): Promise<void> => {
    for (const name of (await readdir(dir)).sort(byteOrder)) {
      const abs = path.join(dir, name);
      const relName = rel ? `${rel}/${name}` : name;
      const shown = path.join(label, relName);
      const info = await stat(abs).catch((e: Error) => e);
      if (info instanceof Error) {
        problems.push(
          invalid(shown, `cannot read it (${(info as NodeJS.ErrnoException).code ?? info.message})`),
        );
      } else if (info.isDirectory()) {
        if (rules.ignores(relName, true)) continue;
        const real = await realpath(abs);
        if (ancestors.has(real))
          problems.push(invalid(shown, 'a symbolic link loops back to a parent directory'));
        else await visit(abs, relName, new Set([...ancestors, real]));
      } else if (!rules.ignores(relName, false)) {
        if (!info.isFile())
          problems.push(invalid(shown, 'it is not a regular file; Helm refuses devices, sockets and pipes'));
        else if (info.size > MAX_FILE)
          problems.push(invalid(shown, `it is larger than Helm's limit of ${MAX_FILE} bytes`));
        else files.push({ name: relName, data: stripBom(await readFile(abs)) });
      }
    }
  };
  await visit(root, '', new Set([await realpath(root)]));
  return files;
}

// ---- Helm's LoadFiles ---------------------------------------------------------------------------

type Where = (name: string) => string;
/** Names a file inside an archive for messages: `chart.tgz:templates/a.yaml`. */
const inArchive =
  (archive: string): Where =>
  (name) =>
    name ? `${archive}:${name}` : archive;

function decodeInto(
  y: YamlLib,
  f: ChartFile,
  spec: Spec,
  at: Where,
  problems: Error[],
  into?: Record<string, unknown>,
): Record<string, unknown> | undefined {
  try {
    return decodeStruct(parseYaml(f.data.toString('utf8'), y), spec, '', into);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    problems.push(invalid(at(f.name), e.message));
    return undefined;
  }
}

function loadFiles(
  y: YamlLib,
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
  const metadata: ChartMetadata = decodeInto(y, chartYaml, METADATA, at, problems) ?? {};
  const parsed = problems.length === before;
  metadata.apiVersion ||= 'v1'; // Helm 2 charts may omit apiVersion; Helm 3 assumes v1
  const chart: LoadedChart = { metadata, templates: [], files: [], dependencies: [], source: at('') };
  const subcharts = new Map<string, ChartFile[]>();
  const v1 = (): boolean => metadata.apiVersion === 'v1';
  for (const f of files) {
    if (f.name === 'Chart.yaml') continue;
    else if (f.name === 'Chart.lock' || f.name === 'requirements.lock') {
      chart.lock = decodeInto(y, f, LOCK, at, problems) ?? {};
      if (f.name === 'requirements.lock' && v1()) chart.files.push(f); // v1 charts keep the old files
    } else if (f.name === 'requirements.yaml') {
      // Helm reads it over Chart.yaml's fields (dependencies, usually).
      decodeInto(y, f, METADATA, at, problems, metadata as Record<string, unknown>);
      if (v1()) chart.files.push(f);
    } else if (f.name === 'values.yaml') {
      try {
        const v = parseYaml(f.data.toString('utf8'), y);
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
        dep = loadFiles(y, readChartArchive(list[0]!.data), inArchive(where), problems, chart.source);
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
      else dep = loadFiles(y, inside, (n) => path.join(where, n), problems, chart.source);
    }
    if (dep) chart.dependencies.push(dep);
  }
  return chart;
}

async function load(chartDir: string, label: string, problems: Error[]): Promise<LoadedChart | undefined> {
  const y = await loadYaml();
  const root = path.resolve(chartDir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    problems.push(stackError('ECHARTMISSING', { path: label }));
    return undefined;
  }
  // Only the top .helmignore counts; sub-charts' own .helmignore files are packaged as plain files.
  const ignoreFile = path.join(root, '.helmignore');
  const text = await readFile(ignoreFile, 'utf8').catch(() => undefined);
  const { rules, problems: bad } = HelmIgnore.parse(text ?? '');
  for (const b of bad)
    problems.push(stackError('EHELMIGNORE', { path: path.join(label, '.helmignore'), ...b }));
  if (bad.length > 0) return undefined;
  rules.addDefaults();
  const files = await walk(root, label, rules, problems);
  return loadFiles(y, files, (n) => path.join(label, n), problems);
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

/**
 * Loads and validates a chart directory; throws every problem found (StackError or AggregateError).
 * `label` names the directory in messages: its path relative to the repository root.
 */
export async function loadChart(chartDir: string, label = chartDir): Promise<LoadedChart> {
  const problems: Error[] = [];
  const chart = await load(chartDir, label, problems);
  throwAll(problems);
  return chart!;
}

/**
 * Loads and validates a chart archive (Helm's LoadArchive), given as bytes or as the path of a file
 * (streamed from disk); `source` names it in messages.
 */
export async function loadChartArchive(tgz: Buffer | { file: string }, source: string): Promise<LoadedChart> {
  const problems: Error[] = [];
  let chart: LoadedChart | undefined;
  const y = await loadYaml();
  try {
    const files = Buffer.isBuffer(tgz) ? readChartArchive(tgz) : await readChartArchiveFile(tgz.file);
    chart = loadFiles(y, files, inArchive(source), problems);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    problems.push(invalid(source, e.message));
  }
  throwAll(problems);
  return chart!;
}

/** For verifyConditions: everything `helm package` would refuse, without writing anything. */
export async function checkChart(chartDir: string, label = chartDir): Promise<Error[]> {
  const problems: Error[] = [];
  try {
    const chart = await load(chartDir, label, problems);
    if (chart && problems.length === 0) problems.push(...packagingProblems(chart));
  } catch (e) {
    // An unreadable directory: the fs error names it by its absolute path.
    problems.push(invalid(label, (e as Error).message.replaceAll(path.resolve(chartDir), label)));
  }
  return problems;
}
