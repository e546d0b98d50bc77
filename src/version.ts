import semver from 'semver';
import { stackError } from './errors.js';

/**
 * The version model: one SemVer 2 version in, its rendering for every ecosystem out. This is the only
 * module that formats a version string; everything else asks it.
 */

export type BranchKind = 'release' | 'maintenance' | 'prerelease';
export type Pep440Phase = 'a' | 'b' | 'rc';
/**
 * User map from a SemVer prerelease channel name to a PEP 440 phase, e.g. `{ next: 'rc' }`. Values may
 * be any spelling PEP 440 itself accepts: 'alpha' | 'beta' | 'rc' | 'a' | 'b' | 'c' | 'pre' | 'preview'.
 */
export type PrereleaseMap = Record<string, string>;

export interface DevVersion {
  pep440: string;
  imageTag: string;
  chartVersion: string;
}

export interface Renderings {
  /** As given, normalised (no leading `v`). */
  semver: string;
  /** Canonical PEP 440. */
  pep440: string;
  /** OCI tag: the SemVer with `+` turned into `_`. */
  imageTag: string;
  /** SemVer 2 as Helm (Masterminds semver v3) accepts it. */
  chartVersion: string;
  /** Chart.yaml `appVersion`: the image tag the chart deploys. */
  appVersion: string;
  prerelease: boolean;
  nextDev: DevVersion | null;
}

export interface RenderOptions {
  prereleaseMap?: PrereleaseMap;
  /** Default 'release'. */
  branch?: BranchKind;
  /** Also compute a development version after a prerelease (default: none). */
  devAfterPrerelease?: boolean;
}

export interface DevOptions {
  prereleaseMap?: PrereleaseMap;
  devAfterPrerelease?: boolean;
}

/** A SemVer split into the parts the renderings need; prerelease and build ids kept as text. */
interface ParsedVersion {
  semver: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string[];
}

/** A prerelease of the only shape PEP 440 can express: `<channel>` or `<channel>.<n>`. */
interface ChannelNumber {
  channel: string;
  /** Decimal digits; absent for a bare `-beta`. */
  number: string | undefined;
}

// Every spelling PEP 440 accepts for its three pre-release phases. Each alias of `a` starts with `a`,
// each alias of `b` with `b`, each alias of `rc` with `c`, `p` or `r`, so SemVer's text ordering of the
// channel names agrees with PEP 440's phase ordering across phases. Two different aliases of ONE phase
// on the same X.Y.Z cannot keep order: `3.0.0-pre.3 < 3.0.0-rc.1` in SemVer, yet both become `rc` and
// `3.0.0rc3 > 3.0.0rc1`. That is inherent in the mapping; a project uses one spelling per phase.
//
// `dev` is deliberately absent. PEP 440 has a `.devN` segment, but it sorts BEFORE a, b and rc, while
// SemVer sorts the channel `dev` between `beta` and `rc` by text. Rendering `-dev.N` as `.devN` would
// make `1.0.0-dev.1` (after 1.0.0-beta.2 in SemVer) come before 1.0.0b2 for pip. A `dev` channel is
// therefore an error until the user maps it to the phase they mean.
const PHASE_ALIASES: Readonly<Record<string, Pep440Phase>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  rc: 'rc',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
};

const DIGITS = /^\d+$/;

/** Why a rendering cannot be made: the facts for its coded error. */
export interface RenderingProblem {
  code: 'EINVALIDVERSION' | 'EPRERELEASEMAP' | 'EINVALIDOPTION';
  params: Record<string, unknown>;
}

/** A rendering, or why it cannot be made. Renderings are values: making one never throws. */
export type Rendered<T> = { ok: true; value: T } | { ok: false; problem: RenderingProblem };

/** Thrown inside this module only; the public functions turn it into a result or a coded error. */
class Unrenderable extends Error {
  readonly problem: RenderingProblem;
  constructor(problem: RenderingProblem) {
    super(problem.code);
    this.problem = problem;
  }
}

/** The coded error of a problem; `extra` adds facts such as which option needed the rendering. */
export function problemError(problem: RenderingProblem, extra: Record<string, unknown> = {}): Error {
  return stackError(problem.code, { ...problem.params, ...extra });
}

function attempt<T>(render: () => T): Rendered<T> {
  try {
    return { ok: true, value: render() };
  } catch (error) {
    if (error instanceof Unrenderable) return { ok: false, problem: error.problem };
    throw error;
  }
}

/** For callers that want the value or the coded error (the CLI, option checks). */
function coded<T>(render: () => T): T {
  const result = attempt(render);
  if (result.ok) return result.value;
  throw problemError(result.problem);
}

/**
 * The value of a rendering a step needs. The centre checks in verifyConditions and verifyRelease
 * that every rendering a kind declares it needs can be made, so a problem here means a kind used a
 * rendering it did not declare: its coded error, not a crash.
 */
export function renderedValue<T>(rendered: Rendered<T>): T {
  if (rendered.ok) return rendered.value;
  throw problemError(rendered.problem);
}

function invalidVersion(version: string, target: string, reason: string, fix?: string): Unrenderable {
  return new Unrenderable({
    code: 'EINVALIDVERSION',
    params: { version, target, reason, ...(fix ? { fix } : {}) },
  });
}

// ---------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------

/** Parses a SemVer 2 version, accepting one leading `v`/`V` (a Git tag's usual prefix). */
function parseVersion(version: string): ParsedVersion {
  const body = /^[vV]?(\d.*)$/.exec(version.trim())?.[1];
  const parsed = body === undefined ? null : semver.parse(body);
  if (!parsed) {
    throw invalidVersion(
      version,
      'SemVer 2',
      'it is not a valid SemVer 2 version',
      'Give a version of the form `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, e.g. `1.2.3` or `1.2.3-beta.1`.',
    );
  }
  const build = [...parsed.build];
  return {
    semver: build.length > 0 ? `${parsed.version}+${build.join('.')}` : parsed.version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.map(String),
    build,
  };
}

function releaseSegment(v: Pick<ParsedVersion, 'major' | 'minor' | 'patch'>): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Splits `beta.3` into channel and number, or explains why PEP 440 cannot express the prerelease. */
function channelNumber(v: ParsedVersion): ChannelNumber {
  const [channel, number, ...rest] = v.prerelease;
  const pre = v.prerelease.join('.');
  if (channel === undefined) throw new Error('channelNumber() needs a prerelease');
  if (DIGITS.test(channel)) {
    // packaging would read `1.0.0-1` as the post-release 1.0.0.post1, which sorts AFTER 1.0.0; SemVer
    // sorts it before. Accepting it would silently invert the order.
    throw invalidVersion(
      v.semver,
      'PEP 440',
      `the prerelease \`${pre}\` starts with a number, which PEP 440 reads as a post-release (sorting after the release, not before) or rejects`,
    );
  }
  if (rest.length > 0 || (number !== undefined && !DIGITS.test(number))) {
    throw invalidVersion(
      v.semver,
      'PEP 440',
      `the prerelease \`${pre}\` is not of the form \`<channel>.<n>\`; PEP 440 allows one phase and one number`,
    );
  }
  return { channel, number };
}

// ---------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------

type PhaseLookup = { phase: Pep440Phase } | { problem: string; badMapValue: boolean };

function lookupPhase(channel: string, prereleaseMap: PrereleaseMap = {}): PhaseLookup {
  if (Object.hasOwn(prereleaseMap, channel)) {
    const value = String(prereleaseMap[channel]);
    const phase = Object.hasOwn(PHASE_ALIASES, value.toLowerCase())
      ? PHASE_ALIASES[value.toLowerCase()]
      : undefined;
    if (phase) return { phase };
    return {
      problem: `prereleaseMap maps \`${channel}\` to \`${value}\`, which is not a PEP 440 phase (use a, b or rc)`,
      badMapValue: true,
    };
  }
  // Matched case-sensitively on purpose: SemVer sorts `Beta` before `alpha` (upper case first), so
  // upper-case channels would break the order the lower-case names keep.
  const phase = Object.hasOwn(PHASE_ALIASES, channel) ? PHASE_ALIASES[channel] : undefined;
  if (phase) return { phase };
  return { problem: unknownChannelReason(channel), badMapValue: false };
}

function unknownChannelReason(channel: string): string {
  if (channel === 'dev') {
    return 'the channel `dev` has no PEP 440 phase: PEP 440 sorts .devN before alpha, SemVer sorts `dev` between beta and rc; map it to the phase you mean (prereleaseMap)';
  }
  return `the channel \`${channel}\` has no PEP 440 meaning (known: alpha, beta, rc, a, b, c, pre, preview); map it with prereleaseMap, e.g. { "${channel}": "rc" }`;
}

function phaseOf(channel: string, prereleaseMap?: PrereleaseMap): Pep440Phase {
  const found = lookupPhase(channel, prereleaseMap);
  if ('phase' in found) return found.phase;
  if (found.badMapValue) {
    throw new Unrenderable({
      code: 'EINVALIDOPTION',
      params: { option: `prereleaseMap.${channel}`, problem: found.problem },
    });
  }
  throw new Unrenderable({ code: 'EPRERELEASEMAP', params: { channel } });
}

/**
 * For verifyConditions: why a prerelease branch's channel id cannot be rendered in PEP 440, or
 * undefined when it can. Checked before any version exists, so it covers the channel on its own.
 */
export function pep440ChannelProblem(channel: string, prereleaseMap?: PrereleaseMap): string | undefined {
  if (!/^[0-9A-Za-z-]+$/.test(channel) || DIGITS.test(channel)) {
    return `the channel \`${channel}\` must be one SemVer identifier with a letter in it (e.g. \`beta\`), so that versions read \`<channel>.<n>\``;
  }
  const found = lookupPhase(channel, prereleaseMap);
  return 'problem' in found ? found.problem : undefined;
}

// ---------------------------------------------------------------------------------------------------
// PEP 440
// ---------------------------------------------------------------------------------------------------

/**
 * SemVer build metadata becomes a PEP 440 local version label, in packaging's canonical spelling:
 * `-`/`_` separators become `.`, letters lower case, numeric parts without leading zeros. PyPI refuses
 * local versions, so a version with build metadata can be installed from a wheel but not uploaded.
 */
function localLabel(v: ParsedVersion): string {
  if (v.build.length === 0) return '';
  const parts = v.build.join('.').toLowerCase().split(/[-_.]/);
  if (parts.some((part) => part === '')) {
    throw invalidVersion(
      v.semver,
      'PEP 440',
      `the build metadata \`${v.build.join('.')}\` has an empty part between separators, which a PEP 440 local version cannot hold`,
    );
  }
  return `+${parts.map((part) => (DIGITS.test(part) ? part.replace(/^0+(?=\d)/, '') : part)).join('.')}`;
}

/** `2.0.0-beta.3` → `b3`; a bare `-beta` is number 0, as packaging reads it. */
function preSegment(v: ParsedVersion, prereleaseMap?: PrereleaseMap): string {
  if (v.prerelease.length === 0) return '';
  const { channel, number } = channelNumber(v);
  return `${phaseOf(channel, prereleaseMap)}${number ?? '0'}`;
}

function pep440Of(v: ParsedVersion, prereleaseMap?: PrereleaseMap): string {
  return `${releaseSegment(v)}${preSegment(v, prereleaseMap)}${localLabel(v)}`;
}

/** The canonical PEP 440 rendering (what `str(packaging.version.Version(...))` prints). */
export function toPep440(version: string, prereleaseMap?: PrereleaseMap): string {
  return coded(() => pep440Of(parseVersion(version), prereleaseMap));
}

const NUMBER = '(?:0|[1-9]\\d*)';
const LOCAL_PART = `(?:${NUMBER}|[a-z0-9]*[a-z][a-z0-9]*)`;
const CANONICAL_PEP440 = new RegExp(
  `^(?:[1-9]\\d*!)?${NUMBER}(?:\\.${NUMBER})*(?:(?:a|b|rc)${NUMBER})?(?:\\.post${NUMBER})?(?:\\.dev${NUMBER})?(?:\\+${LOCAL_PART}(?:\\.${LOCAL_PART})*)?$`,
);

/** True for a PEP 440 version already in packaging's canonical string form. */
export function isCanonicalPep440(s: string): boolean {
  return CANONICAL_PEP440.test(s);
}

// ---------------------------------------------------------------------------------------------------
// Helm chart versions and OCI tags
// ---------------------------------------------------------------------------------------------------

// The pattern Helm's Masterminds semver v3 matches Chart.yaml `version` against.
const CHART_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const UINT64_MAX = 18446744073709551615n;
// Recent Masterminds releases refuse longer version strings; older ones accept them. Being strict
// costs nothing here and keeps a chart loadable by every Helm 3.
const CHART_VERSION_MAX_LENGTH = 256;

/** Whether Helm accepts `s` as a chart version (Masterminds semver v3 NewVersion rules). */
export function isChartVersion(s: string): boolean {
  const m = CHART_VERSION.exec(s);
  if (!m || s.length > CHART_VERSION_MAX_LENGTH) return false;
  // Numeric parts must fit in a uint64; a numeric prerelease identifier must not start with 0.
  const numbers = [m[1], m[2], m[3]]
    .filter((n): n is string => n !== undefined)
    .map((n) => n.replace('.', ''));
  if (numbers.some((n) => BigInt(n) > UINT64_MAX)) return false;
  const pre = m[5]?.split('.') ?? [];
  return !pre.some((id) => DIGITS.test(id) && id.length > 1 && id.startsWith('0'));
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Whether `s` is a valid OCI / Docker image tag. */
export function isImageTag(s: string): boolean {
  return IMAGE_TAG.test(s);
}

function imageTagOf(v: ParsedVersion): string {
  const tag = v.semver.replace('+', '_');
  if (!isImageTag(tag)) {
    throw invalidVersion(
      v.semver,
      'an OCI image tag',
      `\`${tag}\` is longer than the 128 characters a tag may have`,
    );
  }
  return tag;
}

function chartVersionOf(v: ParsedVersion): string {
  if (!isChartVersion(v.semver)) {
    throw invalidVersion(v.semver, 'a Helm chart version', 'Helm (Masterminds semver v3) does not accept it');
  }
  return v.semver;
}

// ---------------------------------------------------------------------------------------------------
// Development versions
// ---------------------------------------------------------------------------------------------------

const plusOne = (n: number | string): string => String(BigInt(n) + 1n);

/** The dev version before the release `base` (X.Y.Z): `X.Y.Z.dev0`, and `X.Y.Z-dev.0` for Helm. */
function devBefore(base: string): DevVersion {
  // The image tag follows PEP 440 (`1.5.0.dev0`, valid as a tag); Helm needs the SemVer spelling.
  return { pep440: `${base}.dev0`, imageTag: `${base}.dev0`, chartVersion: `${base}-dev.0` };
}

/**
 * The dev version after the prerelease `X.Y.Z-<channel>.<n>`. It must sort after the prerelease just
 * made and before every later one, in both grammars:
 * - PEP 440: `X.Y.Z<phase><n+1>.dev0`, the development release of the next prerelease
 *   (2.0.0-beta.3 → 2.0.0b4.dev0: after b3, before b4, rc1 and 2.0.0). `X.Y.Z.dev0` would sort before
 *   the b3 already released.
 * - SemVer (Helm): `X.Y.Z-<channel>.<n>.dev.0` (2.0.0-beta.3.dev.0: after beta.3 because it has more
 *   identifiers, before beta.4 because 3 < 4). `beta.4.dev.0` would sort after beta.4.
 * A bare `-beta` counts as `beta.0`, as in PEP 440. Build metadata is dropped.
 */
function devAfterPre(v: ParsedVersion, prereleaseMap?: PrereleaseMap): DevVersion {
  const { channel, number = '0' } = channelNumber(v);
  const pep440 = `${releaseSegment(v)}${phaseOf(channel, prereleaseMap)}${plusOne(number)}.dev0`;
  return { pep440, imageTag: pep440, chartVersion: `${releaseSegment(v)}-${channel}.${number}.dev.0` };
}

function devAfterRelease(v: ParsedVersion, branch: BranchKind): DevVersion {
  // A maintenance branch (1.2.x) only makes patches; anywhere else the next feature is a minor.
  const base =
    branch === 'maintenance'
      ? `${v.major}.${v.minor}.${plusOne(v.patch)}`
      : `${v.major}.${plusOne(v.minor)}.0`;
  return devBefore(base);
}

function nextDevOf(v: ParsedVersion, branch: BranchKind, options: DevOptions): DevVersion | null {
  const isPrerelease = v.prerelease.length > 0;
  if ((isPrerelease || branch === 'prerelease') && !options.devAfterPrerelease) return null;
  return isPrerelease ? devAfterPre(v, options.prereleaseMap) : devAfterRelease(v, branch);
}

/**
 * The development version to write after releasing `version`: minor + 1 on a release branch
 * (0.1.0 → 0.2.0.dev0), patch + 1 on a maintenance branch (1.2.3 → 1.2.4.dev0). After a prerelease, or
 * on a prerelease branch, there is none unless `devAfterPrerelease` is set (see devAfterPre).
 */
export function nextDevVersion(
  version: string,
  branch: BranchKind,
  options: DevOptions = {},
): DevVersion | null {
  return coded(() => nextDevOf(parseVersion(version), branch, options));
}

// ---------------------------------------------------------------------------------------------------
// All renderings
// ---------------------------------------------------------------------------------------------------

/** Every rendering of `version`; throws a SemanticReleaseError when one of them is impossible. */
export function renderVersion(version: string, options: RenderOptions = {}): Renderings {
  const r = renderRelease(version, options);
  return {
    semver: r.semver,
    pep440: renderedValue(r.pep440),
    imageTag: renderedValue(r.imageTag),
    chartVersion: renderedValue(r.chartVersion),
    appVersion: renderedValue(r.appVersion),
    prerelease: r.prerelease,
    nextDev: renderedValue(r.nextDev),
  };
}

/** A rendering a release may need, by name (what version fields and template placeholders ask for). */
export type RenderingName = 'pep440' | 'imageTag' | 'chartVersion' | 'appVersion' | 'nextDev';

/**
 * Every rendering of a release version, each as a value or the reason it cannot be made: a channel
 * PEP 440 has no phase for stops only the kinds that need PEP 440, never a release without them.
 * Throws only for a version that is not SemVer at all (semantic-release never hands one).
 */
export interface ReleaseRenderings {
  semver: string;
  prerelease: boolean;
  pep440: Rendered<string>;
  imageTag: Rendered<string>;
  chartVersion: Rendered<string>;
  appVersion: Rendered<string>;
  nextDev: Rendered<DevVersion | null>;
}

export function renderRelease(version: string, options: RenderOptions = {}): ReleaseRenderings {
  const v = coded(() => parseVersion(version));
  const imageTag = attempt(() => imageTagOf(v));
  return {
    semver: v.semver,
    prerelease: v.prerelease.length > 0,
    pep440: attempt(() => pep440Of(v, options.prereleaseMap)),
    imageTag,
    chartVersion: attempt(() => chartVersionOf(v)),
    appVersion: imageTag,
    nextDev: attempt(() => nextDevOf(v, options.branch ?? 'release', options)),
  };
}

/**
 * For verifyConditions on a prerelease branch, before any version exists: the renderings its
 * channel alone already makes impossible (PEP 440, and the development version after a prerelease).
 */
export function channelProblems(
  channel: string,
  options: RenderOptions,
): Partial<Record<RenderingName, RenderingProblem>> {
  const reason = pep440ChannelProblem(channel, options.prereleaseMap);
  if (!reason) return {};
  const problem = attempt(() => phaseOf(channel, options.prereleaseMap));
  const found: RenderingProblem = problem.ok
    ? { code: 'EPRERELEASEMAP', params: { channel, reason } }
    : problem.problem;
  return { pep440: found, ...(options.devAfterPrerelease ? { nextDev: found } : {}) };
}

const RENDERINGS: readonly RenderingName[] = ['pep440', 'imageTag', 'chartVersion', 'appVersion', 'nextDev'];

/** The renderings of a release that cannot be made, by name. */
export function renderingProblems(r: ReleaseRenderings): Partial<Record<RenderingName, RenderingProblem>> {
  const problems: Partial<Record<RenderingName, RenderingProblem>> = {};
  for (const name of RENDERINGS) {
    const rendered = r[name];
    if (!rendered.ok) problems[name] = rendered.problem;
  }
  return problems;
}

/** The values a release records (its manifest): the renderings that could be made. */
export type RenderedValues = Pick<ReleaseRenderings, 'semver' | 'prerelease'> &
  Partial<Omit<Renderings, 'semver' | 'prerelease'>>;

export function renderedValues(r: ReleaseRenderings): RenderedValues {
  const values: RenderedValues = { semver: r.semver, prerelease: r.prerelease };
  for (const name of ['pep440', 'imageTag', 'chartVersion', 'appVersion'] as const) {
    const rendered = r[name];
    if (rendered.ok) values[name] = rendered.value;
  }
  if (r.nextDev.ok) values.nextDev = r.nextDev.value;
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Latest
// ---------------------------------------------------------------------------------------------------

/** A release as the "latest" rule sees it. */
export interface LatestCandidate {
  version: string;
  /** The kind of branch it is released from. */
  branch: BranchKind;
  /** Its distribution channel; undefined is the default channel. */
  channel: string | undefined;
}

/**
 * The one rule for "latest", the image's floating tags and GitHub's Latest release alike: only the
 * highest version released on the default channel. A prerelease, a maintenance release (whatever
 * its channel) and a release on another channel never are; nor is a release below one already out
 * on the default channel (a late fix of an old line, a resumed old release). Returns why not, or
 * undefined when it is latest. `releasedOnDefaultChannel` may hold prereleases: they are ignored.
 */
export function notLatestBecause(
  release: LatestCandidate,
  releasedOnDefaultChannel: readonly string[],
): string | undefined {
  if (release.branch === 'prerelease' || semver.prerelease(release.version)) return 'a prerelease';
  if (release.branch === 'maintenance')
    return `a maintenance release${release.channel ? ` (channel \`${release.channel}\`)` : ''}`;
  if (release.channel !== undefined) return `a release on the channel \`${release.channel}\``;
  const newer = releasedOnDefaultChannel
    .filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.gt(v, release.version))
    .sort(semver.rcompare)[0];
  return newer ? `${newer} is newer` : undefined;
}

export function isLatest(release: LatestCandidate, releasedOnDefaultChannel: readonly string[]): boolean {
  return notLatestBecause(release, releasedOnDefaultChannel) === undefined;
}

// ---------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------

/** A distribution name as it appears in a wheel file name: runs of `-_.` become `_`, lower case. */
export function normalizeDistributionName(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/** The file name `python -m build --wheel` gives a pure-Python wheel (PEP 427). */
export function wheelFileName(distributionName: string, pep440: string): string {
  if (!isCanonicalPep440(pep440)) {
    throw problemError(
      invalidVersion(pep440, 'a wheel file name', 'it is not a canonical PEP 440 version').problem,
    );
  }
  return `${normalizeDistributionName(distributionName)}-${pep440}-py3-none-any.whl`;
}

/** The file name of the source distribution (PEP 625: `{normalized name}-{version}.tar.gz`). */
export function sdistFileName(distributionName: string, pep440: string): string {
  if (!isCanonicalPep440(pep440)) {
    throw problemError(
      invalidVersion(pep440, 'an sdist file name', 'it is not a canonical PEP 440 version').problem,
    );
  }
  return `${normalizeDistributionName(distributionName)}-${pep440}.tar.gz`;
}

/**
 * A development version as renderings, so that templates fill the same way for it as for a release:
 * `{version}` is its SemVer spelling (the chart's), `{pep440}` and `{imageTag}` its own.
 */
export function devRenderings(dev: DevVersion): ReleaseRenderings {
  const made = <T>(value: T): Rendered<T> => ({ ok: true, value });
  return {
    semver: coded(() => parseVersion(dev.chartVersion)).semver,
    prerelease: true,
    pep440: made(dev.pep440),
    imageTag: made(dev.imageTag),
    chartVersion: made(dev.chartVersion),
    appVersion: made(dev.imageTag),
    nextDev: made(null),
  };
}

/** Placeholders that name a rendering; the others are parts of the SemVer and always there. */
const RENDERING_PLACEHOLDERS: Readonly<Record<string, RenderingName>> = {
  pep440: 'pep440',
  imageTag: 'imageTag',
  chartVersion: 'chartVersion',
  appVersion: 'appVersion',
};

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The renderings a template asks for (`{pep440}` in a name template), so its kind can declare them. */
export function templateRenderings(template: string): RenderingName[] {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => RENDERING_PLACEHOLDERS[m[1]!]);
  return [...new Set(names.filter((n): n is RenderingName => n !== undefined))];
}

function semverValues(semverText: string): Record<string, string> {
  const v = parseVersion(semverText);
  return {
    version: v.semver,
    major: String(v.major),
    minor: String(v.minor),
    patch: String(v.patch),
    prerelease: v.prerelease.join('.'),
    channel: v.prerelease[0] !== undefined && !DIGITS.test(v.prerelease[0]) ? v.prerelease[0] : '',
  };
}

/**
 * Fills `{placeholder}`s in a name template from the renderings, plus `extra` values such as
 * `{name}`. The version placeholders win over an `extra` of the same name, so a version is always
 * spelled by this module. Every `{…}` must be known: a typo is an option error, not a literal. Only
 * the renderings the template uses are read: `{version}` never needs PEP 440.
 */
export function fillTemplate(
  template: string,
  renderings: ReleaseRenderings,
  extra: Record<string, string> = {},
  option = 'template',
): string {
  const values: Record<string, string> = { ...extra, ...semverValues(renderings.semver) };
  const known = [...new Set([...Object.keys(values), ...Object.keys(RENDERING_PLACEHOLDERS)])];
  const unknown = new Set<string>();
  let problem: RenderingProblem | undefined;
  const filled = template.replace(PLACEHOLDER, (whole, key: string) => {
    const rendering = Object.hasOwn(RENDERING_PLACEHOLDERS, key) ? RENDERING_PLACEHOLDERS[key] : undefined;
    if (rendering && rendering !== 'nextDev') {
      const rendered = renderings[rendering];
      if (rendered.ok) return rendered.value;
      problem ??= rendered.problem;
      return whole;
    }
    if (Object.hasOwn(values, key)) return values[key] as string;
    unknown.add(whole);
    return whole;
  });
  if (unknown.size > 0) {
    const known_ = known.map((k) => `{${k}}`).join(', ');
    const problemText = `unknown placeholder ${[...unknown].join(', ')} in \`${template}\` (known: ${known_})`;
    throw stackError('EINVALIDOPTION', { option, problem: problemText });
  }
  if (problem) throw problemError(problem, { neededBy: `\`${option}\`` });
  return filled;
}
