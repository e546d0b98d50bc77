import { spawnSync } from 'node:child_process';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  channelProblems,
  fillTemplate,
  isCanonicalPep440,
  isChartVersion,
  isImageTag,
  isLatest,
  nextDevVersion,
  notLatestBecause,
  normalizeDistributionName,
  pep440ChannelProblem,
  renderRelease,
  renderVersion,
  renderedValue,
  renderedValues,
  templateRenderings,
  toPep440,
  sdistFileName,
  wheelFileName,
  type PrereleaseMap,
} from './version.js';

interface Case {
  semver: string;
  pep440: string;
  map?: PrereleaseMap;
}

const CORPUS: Case[] = [
  // releases
  { semver: '0.0.1', pep440: '0.0.1' },
  { semver: '0.1.0', pep440: '0.1.0' },
  { semver: '1.0.0', pep440: '1.0.0' },
  { semver: '1.1.0', pep440: '1.1.0' },
  { semver: '1.1.1', pep440: '1.1.1' },
  { semver: '1.2.3', pep440: '1.2.3' },
  { semver: '1.4.0', pep440: '1.4.0' },
  { semver: '1.9.0', pep440: '1.9.0' },
  { semver: '1.10.0', pep440: '1.10.0' },
  { semver: '2.0.0', pep440: '2.0.0' },
  { semver: '10.20.30', pep440: '10.20.30' },
  // large numbers
  { semver: '123456789.987654321.0', pep440: '123456789.987654321.0' },
  { semver: '9007199254740991.0.0', pep440: '9007199254740991.0.0' },
  { semver: '1.0.0-beta.99999999999999999999', pep440: '1.0.0b99999999999999999999' },
  // leading v
  { semver: 'v1.4.0', pep440: '1.4.0' },
  { semver: 'v2.0.0-beta.3', pep440: '2.0.0b3' },
  // alpha / beta / rc, numbered and bare
  { semver: '0.2.0-alpha.1', pep440: '0.2.0a1' },
  { semver: '1.1.0-alpha.1', pep440: '1.1.0a1' },
  { semver: '1.1.0-beta.1', pep440: '1.1.0b1' },
  { semver: '1.1.0-rc.1', pep440: '1.1.0rc1' },
  { semver: '1.2.0-alpha', pep440: '1.2.0a0' },
  { semver: '1.2.0-alpha.1', pep440: '1.2.0a1' },
  { semver: '1.2.0-alpha.2', pep440: '1.2.0a2' },
  { semver: '1.2.0-alpha.10', pep440: '1.2.0a10' },
  { semver: '1.2.0-rc.1', pep440: '1.2.0rc1' },
  { semver: '1.2.0-rc.2', pep440: '1.2.0rc2' },
  { semver: '1.2.0-rc.10', pep440: '1.2.0rc10' },
  { semver: '2.0.0-beta', pep440: '2.0.0b0' },
  { semver: '2.0.0-beta.0', pep440: '2.0.0b0' },
  { semver: '2.0.0-beta.1', pep440: '2.0.0b1' },
  { semver: '2.0.0-beta.3', pep440: '2.0.0b3' },
  { semver: '2.0.0-beta.11', pep440: '2.0.0b11' },
  // the other spellings PEP 440 knows
  { semver: '3.0.0-pre', pep440: '3.0.0rc0' },
  { semver: '3.0.0-pre.1', pep440: '3.0.0rc1' },
  { semver: '3.0.0-pre.3', pep440: '3.0.0rc3' },
  { semver: '3.0.0-rc.1', pep440: '3.0.0rc1' },
  { semver: '3.1.0-preview.1', pep440: '3.1.0rc1' },
  { semver: '3.1.0-preview.2', pep440: '3.1.0rc2' },
  { semver: '3.2.0-c.4', pep440: '3.2.0rc4' },
  { semver: '4.0.0-a.1', pep440: '4.0.0a1' },
  { semver: '4.0.0-alpha.5', pep440: '4.0.0a5' },
  { semver: '4.0.0-b.2', pep440: '4.0.0b2' },
  { semver: '4.0.0-beta.1', pep440: '4.0.0b1' },
  // build metadata -> local version
  { semver: '1.4.0+build.5', pep440: '1.4.0+build.5' },
  { semver: '1.4.0+Build-5', pep440: '1.4.0+build.5' },
  { semver: '1.0.0+001', pep440: '1.0.0+1' },
  { semver: '2.0.0-rc.1+exp.sha.5114f85', pep440: '2.0.0rc1+exp.sha.5114f85' },
  { semver: '1.0.0-beta.2+20240101.0ABC', pep440: '1.0.0b2+20240101.0abc' },
  // channels the user mapped
  { semver: '1.0.0-next.1', pep440: '1.0.0rc1', map: { next: 'rc' } },
  { semver: '1.0.0-canary.3', pep440: '1.0.0a3', map: { canary: 'alpha' } },
  { semver: '1.0.0-dev.2', pep440: '1.0.0a2', map: { dev: 'a' } },
  { semver: '1.0.0-beta.2', pep440: '1.0.0rc2', map: { beta: 'RC' } },
  { semver: '1.0.0-Beta.1', pep440: '1.0.0b1', map: { Beta: 'b' } },
  { semver: '1.0.0-Preview.1', pep440: '1.0.0rc1', map: { Preview: 'preview' } },
];

/** Versions we refuse, sent to packaging too: what it makes of them is why we refuse. */
const REFUSED = ['1.0.0-1', '1.0.0-rc.1.2', '1.0.0-next.1', '1.0.0+a--b'];

// ---------------------------------------------------------------------------------------------------
// packaging, the reference implementation of PEP 440, run once for the whole file
// ---------------------------------------------------------------------------------------------------

const PYTHON = '/usr/bin/python3';
const INSTALL_HINT = 'apt-get install python3-packaging';

const SCRIPT = `
import json, sys
from packaging.version import Version, InvalidVersion

def canonical(s):
    try:
        return str(Version(s))
    except InvalidVersion:
        return None

def sign(a, b):
    va, vb = Version(a), Version(b)
    return (va > vb) - (va < vb)

data = json.load(sys.stdin)
json.dump({
    "fromSemver": [canonical(s) for s in data["fromSemver"]],
    "canonical": [canonical(s) for s in data["canonical"]],
    "compare": [sign(a, b) for a, b in data["compare"]],
}, sys.stdout)
`;

interface PackagingInput {
  fromSemver: string[];
  canonical: string[];
  compare: Array<[string, string]>;
}
interface PackagingAnswer {
  fromSemver: Array<string | null>;
  canonical: Array<string | null>;
  compare: number[];
}

function runPackaging(input: PackagingInput): PackagingAnswer {
  const result = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(input), encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `These tests compare against Python's \`packaging\` via ${PYTHON}; run \`${INSTALL_HINT}\`.\n` +
        (result.error?.message ?? result.stderr),
    );
  }
  return JSON.parse(result.stdout) as PackagingAnswer;
}

const sign = (n: number): number => Math.sign(n) || 0;
const unmapped = CORPUS.filter((c) => !c.map);
const phaseOf = (channel: string): string => toPep440(`0.0.0-${channel}`).slice('0.0.0'.length, -1);

/**
 * The pairs whose order must survive the PEP 440 rendering. Left out, each for a documented reason:
 * - a user's own prereleaseMap decides its own order;
 * - versions differing only in build metadata have no SemVer order at all;
 * - two aliases of one phase on one X.Y.Z (`pre` and `rc`) cannot keep order: both become `rc`, and
 *   `pre.3 < rc.1` in SemVer while rc3 > rc1 in PEP 440. A fact of the mapping, not a bug;
 * - `-beta` and `-beta.0` are both b0 in PEP 440 (packaging reads a bare phase as 0).
 */
function orderMustHold(a: Case, b: Case): boolean {
  if (a.map || b.map || semver.compare(a.semver, b.semver) === 0) return false;
  const pa = semver.parse(a.semver);
  const pb = semver.parse(b.semver);
  if (!pa || !pb || pa.compareMain(pb) !== 0) return true;
  const [channelA, numberA = 0] = pa.prerelease;
  const [channelB, numberB = 0] = pb.prerelease;
  if (channelA === undefined || channelB === undefined) return true;
  if (channelA !== channelB) return phaseOf(String(channelA)) !== phaseOf(String(channelB));
  return String(numberA) !== String(numberB);
}

const orderPairs = unmapped.flatMap((a, i) =>
  unmapped
    .slice(i + 1)
    .filter((b) => orderMustHold(a, b))
    .map((b) => [a, b] as const),
);

/**
 * Dev versions must sort strictly between the release just made and the next one. In PEP 440 the
 * dev version after 1.4.0 (1.5.0.dev0) even precedes 1.5.0a1. The chart spelling PRODUCT.md fixes,
 * `1.5.0-dev.0`, does not: SemVer sorts `dev` after `alpha` and `beta` by text, so for Helm it is only
 * guaranteed to precede the release 1.5.0 itself.
 */
interface DevPair {
  label: string;
  lower: string;
  higher: string;
}

function devPairs(): { pep440: DevPair[]; chart: DevPair[] } {
  const pep440: DevPair[] = [];
  const chart: DevPair[] = [];
  for (const c of unmapped) {
    const v = semver.parse(c.semver);
    if (!v) throw new Error(c.semver);
    const add = (
      label: string,
      dev: { pep440: string; chartVersion: string } | null,
      nextPep: string,
      nextChart = nextPep,
    ) => {
      if (!dev) throw new Error(`no dev version for ${label}`);
      pep440.push(
        { label, lower: c.pep440, higher: dev.pep440 },
        { label, lower: dev.pep440, higher: toPep440(nextPep) },
      );
      chart.push(
        { label, lower: c.semver, higher: dev.chartVersion },
        { label, lower: dev.chartVersion, higher: nextChart },
      );
    };
    const base = `${v.major}.${v.minor}.${v.patch}`;
    if (v.prerelease.length === 0) {
      const minor = `${v.major}.${v.minor + 1}.0`;
      add(`${c.semver} release`, nextDevVersion(c.semver, 'release'), `${minor}-alpha.1`, minor);
      add(
        `${c.semver} maintenance`,
        nextDevVersion(c.semver, 'maintenance'),
        `${v.major}.${v.minor}.${v.patch + 1}`,
      );
    } else {
      const [channel, n = 0] = v.prerelease;
      const dev = nextDevVersion(c.semver, 'prerelease', { devAfterPrerelease: true });
      add(`${c.semver} next prerelease`, dev, `${base}-${channel}.${BigInt(n) + 1n}`);
      add(`${c.semver} release`, dev, base);
    }
  }
  return { pep440, chart };
}

const DEV = devPairs();
const KNOWN_LIMITS: Array<[string, string]> = [
  ['3.0.0-pre.3', '3.0.0-rc.1'],
  ['2.0.0-beta', '2.0.0-beta.0'],
  ['1.4.0', '1.4.0+build.5'],
];
const allPep440 = [...CORPUS.map((c) => c.pep440), ...DEV.pep440.flatMap((p) => [p.lower, p.higher])];

let answer: PackagingAnswer | Error | undefined;
/**
 * Python runs once, on first use, so that a missing packaging fails (never skips) every test that
 * needs it, each with the install hint.
 */
function packaging(): PackagingAnswer {
  if (answer === undefined) {
    try {
      answer = runPackaging({
        fromSemver: [...unmapped.map((c) => c.semver), ...REFUSED],
        canonical: allPep440,
        compare: [
          ...orderPairs.map(([a, b]) => [a.pep440, b.pep440] as [string, string]),
          ...DEV.pep440.map((p) => [p.lower, p.higher] as [string, string]),
          ...KNOWN_LIMITS.map(([a, b]) => [toPep440(a), toPep440(b)] as [string, string]),
        ],
      });
    } catch (error) {
      answer = error as Error;
    }
  }
  if (answer instanceof Error) throw answer;
  return answer;
}

function codeOf(fn: () => unknown): { code: unknown; details: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: unknown; details?: unknown; message: string };
    return { code: e.code, details: e.details, message: e.message };
  }
  throw new Error('expected an error');
}

// ---------------------------------------------------------------------------------------------------

describe('toPep440', () => {
  it('has a corpus large enough to mean something', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CORPUS)('$semver -> $pep440', ({ semver: v, pep440, map }) => {
    expect(toPep440(v, map)).toBe(pep440);
  });

  it("agrees with packaging's own reading of every unmapped SemVer string", () => {
    const { fromSemver } = packaging();
    unmapped.forEach((c, i) => {
      expect(fromSemver[i], `packaging rejected ${c.semver}`).not.toBeNull();
      expect(toPep440(c.semver), c.semver).toBe(fromSemver[i]);
    });
  });

  it('produces only canonical PEP 440 (str(Version(x)) == x), dev versions included', () => {
    const { canonical } = packaging();
    allPep440.forEach((ours, i) => {
      expect(canonical[i], ours).toBe(ours);
      expect(isCanonicalPep440(ours), ours).toBe(true);
    });
  });

  it('refuses what packaging would misread or reject', () => {
    const { fromSemver } = packaging();
    const theirs = Object.fromEntries(REFUSED.map((v, i) => [v, fromSemver[unmapped.length + i]]));
    // `1.0.0-1` is a POST-release for packaging: after 1.0.0, where SemVer puts it before.
    expect(theirs).toEqual({
      '1.0.0-1': '1.0.0.post1',
      '1.0.0-rc.1.2': null,
      '1.0.0-next.1': null,
      '1.0.0+a--b': null,
    });
    for (const v of REFUSED) expect(() => toPep440(v)).toThrow();
  });

  it('accepts a leading v and surrounding blanks', () => {
    expect(toPep440('V1.2.3')).toBe('1.2.3');
    expect(toPep440(' v1.2.3-rc.1 ')).toBe('1.2.3rc1');
  });
});

describe('order preservation', () => {
  it('keeps the SemVer order of every comparable pair in PEP 440', () => {
    const { compare } = packaging();
    expect(orderPairs.length).toBeGreaterThan(700);
    const broken = orderPairs
      .map(([a, b], i) => ({
        a: a.semver,
        b: b.semver,
        semver: sign(semver.compare(a.semver, b.semver)),
        pep440: compare[i],
      }))
      .filter((r) => r.semver !== r.pep440);
    expect(broken).toEqual([]);
  });

  it('includes pairs across phases spelled differently (a < beta, alpha < b, beta < pre < rc)', () => {
    const has = (x: string, y: string) =>
      orderPairs.some(([a, b]) => (a.semver === x && b.semver === y) || (a.semver === y && b.semver === x));
    expect(has('4.0.0-a.1', '4.0.0-beta.1')).toBe(true);
    expect(has('4.0.0-alpha.5', '4.0.0-b.2')).toBe(true);
    expect(has('3.0.0-pre.1', '3.0.0-pre.3')).toBe(true);
    expect(has('3.0.0-pre.3', '3.0.0-rc.1')).toBe(false);
  });

  it('documents the limits: aliases of one phase, bare channel vs .0, build metadata', () => {
    const { compare } = packaging();
    const offset = orderPairs.length + DEV.pep440.length;
    const limits = KNOWN_LIMITS.map(([a, b], i) => ({
      a,
      b,
      semver: sign(semver.compare(a, b)),
      pep440: compare[offset + i],
    }));
    expect(limits).toEqual([
      { a: '3.0.0-pre.3', b: '3.0.0-rc.1', semver: -1, pep440: 1 },
      { a: '2.0.0-beta', b: '2.0.0-beta.0', semver: -1, pep440: 0 },
      { a: '1.4.0', b: '1.4.0+build.5', semver: 0, pep440: -1 },
    ]);
  });
});

describe('renderVersion', () => {
  it.each(CORPUS)('$semver renders for every ecosystem', ({ semver: v, map }) => {
    const r = renderVersion(v, { prereleaseMap: map });
    expect(r.semver).toBe(v.replace(/^v/, ''));
    expect(r.imageTag).toBe(r.semver.replace('+', '_'));
    expect(r.imageTag).not.toContain('+');
    expect(isImageTag(r.imageTag)).toBe(true);
    expect(r.appVersion).toBe(r.imageTag);
    expect(r.chartVersion).toBe(r.semver);
    expect(isChartVersion(r.chartVersion)).toBe(true);
    expect(r.prerelease).toBe(r.semver.split('+')[0]!.includes('-'));
    expect(r.nextDev === null).toBe(r.prerelease);
    if (r.nextDev) {
      expect(isChartVersion(r.nextDev.chartVersion)).toBe(true);
      expect(isImageTag(r.nextDev.imageTag)).toBe(true);
    }
  });

  it('matches the table in PRODUCT.md', () => {
    expect(renderVersion('1.4.0')).toEqual({
      semver: '1.4.0',
      pep440: '1.4.0',
      imageTag: '1.4.0',
      chartVersion: '1.4.0',
      appVersion: '1.4.0',
      prerelease: false,
      nextDev: { pep440: '1.5.0.dev0', imageTag: '1.5.0.dev0', chartVersion: '1.5.0-dev.0' },
    });
    expect(renderVersion('2.0.0-beta.3')).toEqual({
      semver: '2.0.0-beta.3',
      pep440: '2.0.0b3',
      imageTag: '2.0.0-beta.3',
      chartVersion: '2.0.0-beta.3',
      appVersion: '2.0.0-beta.3',
      prerelease: true,
      nextDev: null,
    });
  });

  it('turns + into _ for the image tag but keeps it for Helm', () => {
    const r = renderVersion('1.0.0-rc.1+build.7');
    expect(r.imageTag).toBe('1.0.0-rc.1_build.7');
    expect(r.chartVersion).toBe('1.0.0-rc.1+build.7');
    expect(r.pep440).toBe('1.0.0rc1+build.7');
  });

  it('refuses a version too long for an image tag', () => {
    const e = codeOf(() => renderVersion(`1.0.0+${'a'.repeat(130)}`));
    expect(e.code).toBe('EINVALIDVERSION');
    expect(e.message).toContain('OCI');
  });

  it('passes the branch and devAfterPrerelease on', () => {
    expect(renderVersion('1.2.3', { branch: 'maintenance' }).nextDev?.pep440).toBe('1.2.4.dev0');
    expect(renderVersion('1.2.3', { branch: 'prerelease' }).nextDev).toBeNull();
    expect(
      renderVersion('2.0.0-next.3', { prereleaseMap: { next: 'rc' }, devAfterPrerelease: true }).nextDev,
    ).toEqual({
      pep440: '2.0.0rc4.dev0',
      imageTag: '2.0.0rc4.dev0',
      chartVersion: '2.0.0-next.3.dev.0',
    });
  });
});

describe('nextDevVersion', () => {
  it('bumps the minor on a release branch and the patch on a maintenance branch', () => {
    expect(nextDevVersion('0.1.0', 'release')).toEqual({
      pep440: '0.2.0.dev0',
      imageTag: '0.2.0.dev0',
      chartVersion: '0.2.0-dev.0',
    });
    expect(nextDevVersion('1.4.0', 'release')?.pep440).toBe('1.5.0.dev0');
    expect(nextDevVersion('v1.9.7+build.1', 'release')?.pep440).toBe('1.10.0.dev0');
    expect(nextDevVersion('1.2.3', 'maintenance')).toEqual({
      pep440: '1.2.4.dev0',
      imageTag: '1.2.4.dev0',
      chartVersion: '1.2.4-dev.0',
    });
  });

  it('gives none after a prerelease unless asked', () => {
    expect(nextDevVersion('2.0.0-beta.3', 'prerelease')).toBeNull();
    expect(nextDevVersion('2.0.0-beta.3', 'release')).toBeNull();
    expect(nextDevVersion('2.0.0', 'prerelease')).toBeNull();
  });

  it('after a prerelease, when asked: the dev release of the next prerelease', () => {
    expect(nextDevVersion('2.0.0-beta.3', 'prerelease', { devAfterPrerelease: true })).toEqual({
      pep440: '2.0.0b4.dev0',
      imageTag: '2.0.0b4.dev0',
      chartVersion: '2.0.0-beta.3.dev.0',
    });
    expect(nextDevVersion('2.0.0-beta', 'prerelease', { devAfterPrerelease: true })?.chartVersion).toBe(
      '2.0.0-beta.0.dev.0',
    );
    expect(() => nextDevVersion('2.0.0-next.1', 'prerelease', { devAfterPrerelease: true })).toThrow();
  });

  it('sorts each dev version between the release it follows and the next one, in PEP 440', () => {
    const { compare } = packaging();
    const offset = orderPairs.length;
    const broken = DEV.pep440.filter((_, i) => compare[offset + i] !== -1);
    expect(DEV.pep440.length).toBeGreaterThan(80);
    expect(broken).toEqual([]);
  });

  it('sorts each dev chart version the same way in SemVer, and Helm accepts it', () => {
    // node-semver compares numeric identifiers as JS numbers, so it cannot order prerelease numbers
    // beyond 2^53 (the SemVer spec compares them exactly); those pairs are left to the PEP 440 test.
    const exact = (p: DevPair) => [p.lower, p.higher].every((x) => !/-.*\d{16}/.test(x));
    const broken = DEV.chart.filter((p) => exact(p) && !semver.lt(p.lower, p.higher));
    expect(broken).toEqual([]);
    for (const p of DEV.chart) expect(isChartVersion(p.higher), p.higher).toBe(true);
  });
});

describe('errors', () => {
  it('refuses a channel with no PEP 440 meaning unless mapped', () => {
    const e = codeOf(() => toPep440('1.0.0-next.1'));
    expect(e.code).toBe('EPRERELEASEMAP');
    expect(e.details).toEqual(expect.stringContaining('prereleaseMap'));
    expect(codeOf(() => renderVersion('1.0.0-next.1')).code).toBe('EPRERELEASEMAP');
    expect(toPep440('1.0.0-next.1', { next: 'rc' })).toBe('1.0.0rc1');
  });

  it('does not map dev, nor upper-case spellings, by default', () => {
    expect(codeOf(() => toPep440('1.0.0-dev.1')).code).toBe('EPRERELEASEMAP');
    expect(codeOf(() => toPep440('1.0.0-Beta.1')).code).toBe('EPRERELEASEMAP');
  });

  it.each(['1.0.0-rc.1.2', '1.0.0-1', '1.0.0-0.3.7', '1.0.0-rc.x', '1.0.0+a--b'])(
    '%s cannot be PEP 440',
    (v) => {
      const e = codeOf(() => toPep440(v));
      expect(e.code).toBe('EINVALIDVERSION');
      expect(e.message).toContain('PEP 440');
      expect(typeof e.details === 'string' && e.details.length > 0).toBe(true);
    },
  );

  it.each(['', 'banana', '1.2', '01.2.3', 'vv1.2.3', '1.2.3.4', '1.0.0-rc.01', '9007199254740992.0.0'])(
    '%j is not SemVer',
    (v) => {
      const e = codeOf(() => renderVersion(v));
      expect(e.code).toBe('EINVALIDVERSION');
      expect(typeof e.details === 'string' && e.details.length > 0).toBe(true);
    },
  );

  it('reports a prereleaseMap value that is not a phase as an option error', () => {
    const e = codeOf(() => toPep440('1.0.0-next.1', { next: 'gamma' }));
    expect(e.code).toBe('EINVALIDOPTION');
    expect(e.message).toContain('prereleaseMap.next');
  });
});

describe('pep440ChannelProblem', () => {
  it('accepts every PEP 440 spelling and mapped channels', () => {
    for (const channel of ['alpha', 'beta', 'rc', 'a', 'b', 'c', 'pre', 'preview']) {
      expect(pep440ChannelProblem(channel), channel).toBeUndefined();
    }
    expect(pep440ChannelProblem('next', { next: 'rc' })).toBeUndefined();
    expect(pep440ChannelProblem('dev', { dev: 'alpha' })).toBeUndefined();
  });

  it('explains what is wrong otherwise', () => {
    expect(pep440ChannelProblem('next')).toContain('next');
    expect(pep440ChannelProblem('canary')).toContain('prereleaseMap');
    expect(pep440ChannelProblem('dev')).toContain('sorts');
    expect(pep440ChannelProblem('next', { next: 'gamma' })).toContain('gamma');
    expect(pep440ChannelProblem('1')).toBeDefined();
    expect(pep440ChannelProblem('beta.x')).toBeDefined();
    expect(pep440ChannelProblem('')).toBeDefined();
  });
});

describe('grammars', () => {
  it("isChartVersion follows Helm's Masterminds semver v3", () => {
    for (const ok of [
      '1.0.0-rc.1',
      'v1.2.3',
      '1.2',
      '1',
      '1.0.0+build.01',
      '1.5.0-dev.0',
      '18446744073709551615.0.0',
    ]) {
      expect(isChartVersion(ok), ok).toBe(true);
    }
    for (const bad of [
      '0.2.0.dev0',
      '1.2.0rc1',
      '1.2.0-rc.01',
      '1.0.0_build',
      '',
      '1.0.0-',
      '18446744073709551616.0.0',
    ]) {
      expect(isChartVersion(bad), bad).toBe(false);
    }
  });

  it('isImageTag follows the OCI tag grammar', () => {
    for (const ok of ['1.4.0', '1.5.0.dev0', '1.0.0_build.5', '_x', 'latest', 'a'.repeat(128)]) {
      expect(isImageTag(ok), ok).toBe(true);
    }
    for (const bad of ['1.0.0+build', '.x', '-x', '', 'a'.repeat(129), 'a/b']) {
      expect(isImageTag(bad), bad).toBe(false);
    }
  });

  it('isCanonicalPep440 refuses non-canonical spellings', () => {
    for (const bad of ['1.0.0-rc.1', '1.0.0RC1', '01.0', '1.0+A', '1.0.0-dev.0', 'v1.0', '1.0.0+01']) {
      expect(isCanonicalPep440(bad), bad).toBe(false);
    }
    expect(isCanonicalPep440('1!2.0.0a1.post2.dev3+abc.1')).toBe(true);
  });
});

describe('names', () => {
  it('wheelFileName follows PEP 427', () => {
    expect(wheelFileName('os-vim-driver', '1.4.0')).toBe('os_vim_driver-1.4.0-py3-none-any.whl');
    expect(wheelFileName('Foo.Bar__baz', '2.0.0b3')).toBe('foo_bar_baz-2.0.0b3-py3-none-any.whl');
    expect(normalizeDistributionName('Foo.Bar__baz')).toBe('foo_bar_baz');
    expect(normalizeDistributionName('a-_.-B')).toBe('a_b');
    expect(codeOf(() => wheelFileName('x', '2.0.0-beta.3')).code).toBe('EINVALIDVERSION');
  });

  it('sdistFileName follows PEP 625', () => {
    expect(sdistFileName('os-vim-driver', '1.4.0')).toBe('os_vim_driver-1.4.0.tar.gz');
    expect(sdistFileName('Saltmarsh.Hatch', '2.0.0b3')).toBe('saltmarsh_hatch-2.0.0b3.tar.gz');
    expect(codeOf(() => sdistFileName('x', '2.0.0-beta.3')).code).toBe('EINVALIDVERSION');
  });

  it('fillTemplate fills every placeholder', () => {
    const r = renderRelease('v2.0.0-beta.3+build.1');
    expect(
      fillTemplate(
        '{name}|{version}|{pep440}|{imageTag}|{chartVersion}|{appVersion}|{major}|{minor}|{patch}|{prerelease}|{channel}',
        r,
        { name: 'os-vim-driver' },
      ),
    ).toBe(
      'os-vim-driver|2.0.0-beta.3+build.1|2.0.0b3+build.1|2.0.0-beta.3_build.1|2.0.0-beta.3+build.1|2.0.0-beta.3_build.1|2|0|0|beta.3|beta',
    );
    expect(fillTemplate('{name}-{version}-docs.tgz', renderRelease('1.4.0'), { name: 'os-vim-driver' })).toBe(
      'os-vim-driver-1.4.0-docs.tgz',
    );
    expect(fillTemplate('[{prerelease}][{channel}]', renderRelease('1.4.0'))).toBe('[][]');
  });

  it('fillTemplate keeps version placeholders its own', () => {
    expect(fillTemplate('{version}', renderRelease('1.4.0'), { version: 'x' })).toBe('1.4.0');
  });

  it('fillTemplate reports unknown placeholders as an option error', () => {
    const e = codeOf(() =>
      fillTemplate('{name}-{verison}-{ }', renderRelease('1.4.0'), { name: 'n' }, 'docs.archiveName'),
    );
    expect(e.code).toBe('EINVALIDOPTION');
    expect(e.message).toContain('docs.archiveName');
    expect(e.message).toContain('{verison}');
    expect(e.message).toContain('{ }');
    expect(codeOf(() => fillTemplate('{constructor}', renderRelease('1.4.0'))).code).toBe('EINVALIDOPTION');
  });

  it('fillTemplate reads only the renderings a template uses', () => {
    // No PEP 440 phase for `next`: a template without {pep440} does not care.
    const r = renderRelease('2.0.0-next.1');
    expect(r.pep440.ok).toBe(false);
    expect(fillTemplate('{name}-{version}-docs', r, { name: 'n' }, 'docs.archiveName')).toBe(
      'n-2.0.0-next.1-docs',
    );
    const e = codeOf(() => fillTemplate('{name}-{pep440}', r, { name: 'n' }, 'docs.archiveName'));
    expect(e.code).toBe('EPRERELEASEMAP');
    expect(e.message).toContain('`docs.archiveName`');
    expect(templateRenderings('{name}-{pep440}-{version}-{imageTag}')).toEqual(['pep440', 'imageTag']);
  });
});

describe('renderRelease', () => {
  it('never throws for a rendering it cannot make: each is a value or its problem', () => {
    const r = renderRelease('2.0.0-next.1', { branch: 'prerelease', devAfterPrerelease: true });
    expect(r.semver).toBe('2.0.0-next.1');
    expect(r.imageTag).toEqual({ ok: true, value: '2.0.0-next.1' });
    expect(r.chartVersion).toEqual({ ok: true, value: '2.0.0-next.1' });
    expect(r.pep440).toEqual({ ok: false, problem: { code: 'EPRERELEASEMAP', params: { channel: 'next' } } });
    expect(r.nextDev.ok).toBe(false);
    // The values a manifest records: only those that could be made, as plain values.
    expect(renderedValues(r)).toEqual({
      semver: '2.0.0-next.1',
      prerelease: true,
      imageTag: '2.0.0-next.1',
      chartVersion: '2.0.0-next.1',
      appVersion: '2.0.0-next.1',
    });
    expect(codeOf(() => renderedValue(r.pep440)).code).toBe('EPRERELEASEMAP');
    const mapped = renderRelease('2.0.0-next.1', { prereleaseMap: { next: 'rc' } });
    expect(renderedValue(mapped.pep440)).toBe('2.0.0rc1');
  });

  it('tells from the channel alone which renderings a prerelease branch cannot make', () => {
    expect(channelProblems('beta', {})).toEqual({});
    expect(Object.keys(channelProblems('next', {}))).toEqual(['pep440']);
    expect(Object.keys(channelProblems('next', { devAfterPrerelease: true }))).toEqual(['pep440', 'nextDev']);
    expect(channelProblems('next', { prereleaseMap: { next: 'rc' } })).toEqual({});
    expect(channelProblems('next', { prereleaseMap: { next: 'gamma' } }).pep440?.code).toBe('EINVALIDOPTION');
  });
});

describe('the "latest" rule', () => {
  const main = (version: string) => ({ version, branch: 'release' as const, channel: undefined });

  it('makes the highest release of the default channel latest, and only that', () => {
    expect(notLatestBecause(main('1.1.0'), ['1.0.0', '1.0.1'])).toBeUndefined();
    expect(isLatest(main('1.1.0'), [])).toBe(true);
    // The release itself may already be among the released versions (a resumed release).
    expect(isLatest(main('1.1.0'), ['1.0.0', '1.1.0'])).toBe(true);
    expect(notLatestBecause(main('1.0.2'), ['1.0.0', '1.1.0', '1.0.1'])).toBe('1.1.0 is newer');
  });

  it('never makes a prerelease, a maintenance release or another channel latest', () => {
    expect(notLatestBecause({ version: '1.2.0-beta.1', branch: 'prerelease', channel: 'beta' }, [])).toBe(
      'a prerelease',
    );
    expect(notLatestBecause(main('2.0.0-rc.1'), ['1.0.0'])).toBe('a prerelease');
    expect(notLatestBecause({ version: '1.0.3', branch: 'maintenance', channel: '1.0.x' }, [])).toBe(
      'a maintenance release (channel `1.0.x`)',
    );
    expect(notLatestBecause({ version: '9.0.0', branch: 'maintenance', channel: undefined }, [])).toBe(
      'a maintenance release',
    );
    expect(notLatestBecause({ version: '2.0.0', branch: 'release', channel: 'next' }, ['1.0.0'])).toBe(
      'a release on the channel `next`',
    );
  });

  it('ignores prereleases and strings that are not versions among the released ones', () => {
    expect(isLatest(main('1.1.0'), ['1.2.0-beta.1', 'nightly', '1.0.0'])).toBe(true);
  });
});
