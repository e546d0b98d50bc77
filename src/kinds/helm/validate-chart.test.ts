import { describe, expect, it } from 'vitest';
import { chartVersionProblem, sanitizeString, validateChart } from './validate-chart.js';

const codes = (errors: Error[]): string[] => errors.map((e) => (e as Error & { code: string }).code);
const ok = { apiVersion: 'v2', name: 'demo', version: '1.0.0' };

describe('chartVersionProblem (Masterminds semver v3 NewVersion)', () => {
  it.each(['1.0.0', '1.0.0-rc.1', 'v1.2.3', '1.2', '1', '1.2.3+build.5', '01.2.3', '1.0.0-0'])(
    'accepts %s',
    (v) => {
      expect(chartVersionProblem(v)).toBeUndefined();
    },
  );

  it.each([
    '0.2.0.dev0',
    '1.2.0rc1',
    '1.2.0-rc.01',
    '',
    '1.2.3-',
    '1.2.3+',
    'x1.2.3',
    '1.2.3-rc..1',
    '18446744073709551616.0.0',
  ])('rejects %s', (v) => expect(chartVersionProblem(v)).toBeDefined());
});

describe('validateChart', () => {
  it('accepts a minimal chart', () => expect(validateChart(ok)).toEqual([]));

  it('rejects names Helm refuses', () => {
    expect(codes(validateChart({ ...ok, name: 'a/b' }))).toEqual(['ECHARTNAME']);
    expect(codes(validateChart({ ...ok, name: '..' }))).toEqual(['ECHARTNAME']);
    expect(codes(validateChart({ ...ok, name: '' }))).toEqual(['ECHARTNAME']);
  });

  it('rejects PEP 440 and leading-zero prerelease versions', () => {
    const [e] = validateChart({ ...ok, version: '0.2.0.dev0' });
    expect((e as Error & { code: string }).code).toBe('ECHARTVERSION');
    expect(e!.message).toContain('0.2.0.dev0');
    expect(codes(validateChart({ ...ok, version: '1.2.0-rc.01' }))).toEqual(['ECHARTVERSION']);
  });

  it('reports every problem at once', () => {
    const errors = validateChart({ name: 'x/y', version: '1.2.0rc1', type: 'plugin' }, 'c/Chart.yaml');
    expect(codes(errors)).toEqual(['EINVALIDCHART', 'ECHARTNAME', 'ECHARTVERSION', 'EINVALIDCHART']);
    expect(errors.every((e) => e.message.includes('c/Chart.yaml'))).toBe(true);
    expect((errors[0] as Error & { details: string }).details).toContain('Fix');
  });

  it('checks dependencies and maintainers like Helm', () => {
    const md = {
      ...ok,
      maintainers: [null],
      dependencies: [{ name: 'a' }, { name: 'b', alias: 'a' }, { name: 'c', alias: 'bad alias' }],
    };
    expect(validateChart(md).map((e) => e.message)).toEqual([
      expect.stringContaining('`maintainers` has an empty entry'),
      expect.stringContaining('more than one dependency is named or aliased `a`'),
      expect.stringContaining('alias with characters'),
    ]);
  });

  it('accepts the chart types Helm knows', () => {
    expect(validateChart({ ...ok, type: 'library' })).toEqual([]);
    expect(validateChart({ ...ok, type: 'application' })).toEqual([]);
  });
});

describe('sanitizeString', () => {
  it('turns whitespace into spaces and drops non-printable characters', () => {
    expect(sanitizeString('a\tb\nc\u00a0d\u0007e\u200bf')).toBe('a b c def');
  });
});
