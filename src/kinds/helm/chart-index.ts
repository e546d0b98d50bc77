import semver from 'semver';
import { parse } from 'yaml';
import { goYamlMarshal } from './package-chart.js';
import { stackError } from './errors.js';

/**
 * A Helm chart repository's index.yaml (helm pkg/repo/index.go): `apiVersion: v1`, `generated`,
 * `entries: { <chart name>: [<chart version>, …] }`, newest first. Each chart version is the
 * chart's metadata plus `urls`, `created` and `digest` (the bare hex sha256 of the .tgz). It is
 * written the way `helm repo index` writes it (sigs.k8s.io/yaml: keys sorted, go-yaml v2 style), so
 * a file Helm wrote stays as it was apart from the new entry and `generated`.
 */

export interface IndexEntry {
  name: string;
  version: string;
  /** Bare hex sha256 of the chart package. */
  digest: string;
  /** chart.Metadata as JSON (Go field order). */
  metadata: Record<string, unknown>;
  url: string;
  /** RFC 3339 time of the release. */
  created: string;
}

export type IndexUpdate = { changed: true; text: string } | { changed: false; reason: string };

type Entry = Record<string, unknown>;
type Index = Record<string, unknown> & { entries: Record<string, Entry[]> };

/** Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros dropped) for a UTC time. */
export function goTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => {
    const fraction = ms.replace(/0+$/, '');
    return fraction ? `.${fraction}Z` : 'Z';
  });
}

/**
 * Masterminds semver v3's reading of a chart version (`v` prefix, missing minor or patch are 0) in
 * the form the semver package compares; undefined when it is not a version.
 */
function comparable(version: unknown): string | undefined {
  if (typeof version !== 'string') return undefined;
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return undefined;
  return semver.valid(`${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}`) ?? undefined;
}

/** Helm's SortEntries: newest first by SemVer precedence; versions it cannot parse go last. */
function newestFirst(a: Entry, b: Entry): number {
  const x = comparable(a.version);
  const y = comparable(b.version);
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return semver.rcompare(x, y);
}

/** Where the index lives, for messages. */
export interface IndexLocation {
  branch: string;
  path: string;
}

const describe = (where: IndexLocation): string => `${where.branch}:${where.path}`;

function parseIndex(text: string | undefined, where: IndexLocation): Index {
  if (text === undefined || text.trim() === '') return { apiVersion: 'v1', entries: {} };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw invalid(where, `it is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalid(where, 'it is not a mapping');
  const index = doc as Record<string, unknown>;
  if (!index.apiVersion) throw invalid(where, 'it has no `apiVersion` (Helm refuses such an index)');
  const entries = index.entries ?? {};
  if (typeof entries !== 'object' || Array.isArray(entries))
    throw invalid(where, '`entries` is not a mapping');
  for (const [name, list] of Object.entries(entries as Record<string, unknown>)) {
    if (list !== null && !Array.isArray(list)) throw invalid(where, `\`entries.${name}\` is not a list`);
  }
  return { ...index, entries: entries as Record<string, Entry[]> };
}

function invalid(where: IndexLocation, reason: string): Error {
  return stackError('ECHARTINDEX', { branch: where.branch, path: where.path, reason });
}

/**
 * Adds the entry to the index text (undefined: no index yet). The same name and version already
 * listed with the same digest is no change; with another digest it is ECHARTEXISTS. Every other
 * entry is kept; prereleases are entries like any other.
 */
export function addToIndex(
  current: string | undefined,
  entry: IndexEntry,
  generated: Date,
  where: IndexLocation,
): IndexUpdate {
  const index = parseIndex(current, where);
  const versions = (index.entries[entry.name] ?? []).filter((v): v is Entry => !!v);
  const same = versions.find((v) => String(v.version) === entry.version);
  if (same) {
    if (same.digest === entry.digest)
      return {
        changed: false,
        reason: `${describe(where)} already lists ${entry.name} ${entry.version} with this digest`,
      };
    throw stackError('ECHARTEXISTS', {
      where: `The chart index ${describe(where)}`,
      name: entry.name,
      version: entry.version,
      remote: same.digest ? `digest ${String(same.digest)}` : 'an entry without a digest',
      local: `digest ${entry.digest}`,
    });
  }
  versions.push({ ...entry.metadata, urls: [entry.url], created: entry.created, digest: entry.digest });
  index.entries[entry.name] = versions;
  for (const list of Object.values(index.entries)) list?.sort(newestFirst);
  index.generated = goTime(generated);
  return { changed: true, text: goYamlMarshal(index as Parameters<typeof goYamlMarshal>[0]) };
}
