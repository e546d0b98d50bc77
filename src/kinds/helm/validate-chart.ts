import { stackError } from './errors.js';

/** Chart.yaml as Helm's chart.Metadata holds it (pkg/chart/metadata.go); absent = Go zero value. */
export interface ChartMaintainer {
  name?: string;
  email?: string;
  url?: string;
}

export interface ChartDependency {
  name?: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  'import-values'?: unknown[];
  alias?: string;
}

export interface ChartMetadata {
  name?: string;
  home?: string;
  sources?: string[];
  version?: string;
  description?: string;
  keywords?: string[];
  /** `null` entries are kept so that validation can refuse them, as Helm does. */
  maintainers?: (ChartMaintainer | null)[];
  icon?: string;
  apiVersion?: string;
  condition?: string;
  tags?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  kubeVersion?: string;
  dependencies?: (ChartDependency | null)[];
  type?: string;
}

// Masterminds semver v3 NewVersion (CoerceNewVersion on): the loose grammar, then checks of its own.
const LOOSE_SEMVER =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const UINT64_MAX = 18446744073709551615n;

/** Why Helm would refuse `v` as a chart version, or undefined when it accepts it. */
export function chartVersionProblem(v: string): string | undefined {
  if (v === '') return 'it is empty';
  const m = LOOSE_SEMVER.exec(v);
  if (!m) return 'it is not a semantic version (Helm accepts e.g. 1.2.3, v1.2.3, 1.2, 1.0.0-rc.1)';
  // Each numeric part goes through strconv.ParseUint, so it must fit in 64 bits.
  if ([m[1], m[2], m[3]].some((n) => n !== undefined && BigInt(n.replace('.', '')) > UINT64_MAX)) {
    return 'a numeric part is larger than 2^64-1';
  }
  if (m[5]?.split('.').some((id) => /^0[0-9]+$/.test(id))) {
    return 'a numeric prerelease identifier has a leading zero';
  }
  return undefined;
}

// Go's unicode.IsSpace and unicode.IsPrint, used by Helm to normalise free-text fields.
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gu;
const NOT_PRINT = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;

/** Helm's sanitizeString: whitespace becomes a plain space, other non-printable characters go. */
export const sanitizeString = (s: string): string => s.replace(GO_SPACE, ' ').replace(NOT_PRINT, '');

const ALIAS = /^[a-zA-Z0-9_-]+$/;

/**
 * Sanitises the free-text fields in place, as Helm's Metadata.Validate does on load and on save, so
 * that the re-serialised Chart.yaml carries the same text Helm's would.
 */
export function sanitizeMetadata(md: ChartMetadata): void {
  const keys = [
    'name',
    'description',
    'home',
    'icon',
    'condition',
    'tags',
    'appVersion',
    'kubeVersion',
  ] as const;
  for (const k of keys) if (md[k] !== undefined) md[k] = sanitizeString(md[k]);
  md.sources = md.sources?.map(sanitizeString);
  md.keywords = md.keywords?.map(sanitizeString);
  for (const m of md.maintainers ?? []) {
    if (!m) continue;
    for (const k of ['name', 'email', 'url'] as const) if (m[k] !== undefined) m[k] = sanitizeString(m[k]);
  }
  for (const d of md.dependencies ?? []) {
    if (!d) continue;
    for (const k of ['name', 'version', 'repository', 'condition'] as const) {
      if (d[k] !== undefined) d[k] = sanitizeString(d[k]);
    }
    d.tags = d.tags?.map(sanitizeString);
  }
}

/**
 * Every rule of Helm's Metadata.Validate, reported together (Helm stops at the first). `path` names
 * the Chart.yaml in messages. Call after sanitizeMetadata: Helm checks the sanitised name.
 */
export function validateChart(md: ChartMetadata, path = 'Chart.yaml'): Error[] {
  const problems: Error[] = [];
  const invalid = (reason: string): number => problems.push(stackError('EINVALIDCHART', { path, reason }));
  if (!md.apiVersion) invalid('`apiVersion` is missing');
  const name = md.name ?? '';
  if (name === '') problems.push(stackError('ECHARTNAME', { path, name, reason: 'it is empty' }));
  else if (name === '.' || name === '..')
    problems.push(stackError('ECHARTNAME', { path, name, reason: 'it is a relative directory' }));
  else if (name.includes('/'))
    problems.push(stackError('ECHARTNAME', { path, name, reason: 'it contains `/`' }));
  const version = md.version ?? '';
  const why = chartVersionProblem(version);
  if (why) problems.push(stackError('ECHARTVERSION', { path, version, reason: why }));
  if (!['', 'application', 'library', undefined].includes(md.type)) {
    invalid(`\`type\` is \`${md.type}\`; it must be \`application\` or \`library\``);
  }
  if (md.maintainers?.some((m) => m === null)) invalid('`maintainers` has an empty entry');
  const seen = new Set<string>();
  for (const d of md.dependencies ?? []) {
    if (d === null) {
      invalid('`dependencies` has an empty entry');
      continue;
    }
    if (d.alias && !ALIAS.test(d.alias))
      invalid(`dependency \`${d.name ?? ''}\` has an alias with characters other than A-Z a-z 0-9 _ -`);
    const key = d.alias || d.name || '';
    if (seen.has(key)) invalid(`more than one dependency is named or aliased \`${key}\``);
    seen.add(key);
  }
  return problems;
}
