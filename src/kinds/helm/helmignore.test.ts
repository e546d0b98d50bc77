import { describe, expect, it } from 'vitest';
import { GlobSyntaxError, goMatch, HelmIgnore } from './helmignore.js';

const rules = (text: string, defaults = false): HelmIgnore => {
  const { rules: r, problems } = HelmIgnore.parse(text);
  expect(problems).toEqual([]);
  return defaults ? r.addDefaults() : r;
};

describe('goMatch (Go filepath.Match)', () => {
  it.each([
    ['*.txt', 'a.txt', true],
    ['*', 'a/b', false], // * never crosses /
    ['*/b', 'a/b', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['[!a]x', '!x', true], // only ^ negates; ! is a member
    ['[!a]x', 'bx', false],
    ['\\*', '*', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*', 'a', true],
    ['é?', 'éü', true],
  ])('%s ~ %s = %s', (p, n, want) => expect(goMatch(p, n)).toBe(want));

  it.each(['[', '[]', '[a', 'a\\', '[a-]', 'x[^]'])('rejects %s even when the name cannot match', (p) => {
    expect(() => goMatch(p, 'zzz')).toThrow(GlobSyntaxError);
  });
});

describe('HelmIgnore', () => {
  it('matches a slash-less pattern against the base name at any depth', () => {
    const r = rules('*.bak\nsecret.txt\n');
    expect(r.ignores('a.bak', false)).toBe(true);
    expect(r.ignores('deep/down/x.bak', false)).toBe(true);
    expect(r.ignores('templates/secret.txt', false)).toBe(true);
    expect(r.ignores('secret.txt.keep', false)).toBe(false);
  });

  it('anchors a leading / at the chart root and matches paths with / structurally', () => {
    const r = rules('/top.txt\ndocs/*.md\n');
    expect(r.ignores('top.txt', false)).toBe(true);
    expect(r.ignores('sub/top.txt', false)).toBe(false);
    expect(r.ignores('docs/a.md', false)).toBe(true);
    expect(r.ignores('x/docs/a.md', false)).toBe(false);
  });

  it('applies a trailing / to directories only', () => {
    const r = rules('ignore/\n');
    expect(r.ignores('ignore', true)).toBe(true);
    expect(r.ignores('ignore', false)).toBe(false);
    expect(r.ignores('a/ignore', true)).toBe(true);
  });

  it('skips blank lines, comments and surrounding spaces, and accepts CRLF', () => {
    const r = rules('# comment\n\n   *.tmp  \r\n');
    expect(r.ignores('x.tmp', false)).toBe(true);
    expect(r.ignores('# comment', false)).toBe(false);
  });

  it('negation ignores everything that does NOT match, and lets matches fall through', () => {
    const r = rules('!*.yaml\n');
    expect(r.ignores('values.yaml', false)).toBe(false);
    expect(r.ignores('README.md', false)).toBe(true);
    expect(r.ignores('templates', true)).toBe(true); // a directory is a non-match too
    const chained = rules('!*.yaml\nsecret.yaml\n');
    expect(chained.ignores('secret.yaml', false)).toBe(true);
    expect(chained.ignores('other.yaml', false)).toBe(false);
    const dirOnly = rules('!keep/\n');
    expect(dirOnly.ignores('keep', false)).toBe(true); // a file can never satisfy a directory rule
  });

  it('decides by the first rule that matches', () => {
    const r = rules('*.txt\n!*.txt\n');
    expect(r.ignores('a.txt', false)).toBe(true);
    expect(r.ignores('a.md', false)).toBe(true); // the ! rule ignores every non-.txt name
  });

  it('refuses ** and malformed globs, reporting each line', () => {
    const { problems } = HelmIgnore.parse('ok\nsrc/**/x\n[\n');
    expect(problems).toEqual([
      { line: 2, pattern: 'src/**/x', reason: 'double-star (**) syntax is not supported' },
      { line: 3, pattern: '[', reason: 'syntax error in pattern' },
    ]);
  });

  it('adds the default templates/.?* rule, which only covers dotfiles directly under templates/', () => {
    const r = rules('', true);
    expect(r.ignores('templates/.hidden', false)).toBe(true);
    expect(r.ignores('templates/.git', true)).toBe(true);
    expect(r.ignores('templates/.', false)).toBe(false); // .?* needs a character after the dot
    expect(r.ignores('templates/a/.hidden', false)).toBe(false);
    expect(r.ignores('charts/sub/templates/.hidden', false)).toBe(false);
    expect(r.ignores('.hidden', false)).toBe(false);
  });

  it('never ignores the chart root itself', () => {
    const r = rules('*\n');
    expect(r.ignores('', true)).toBe(false);
    expect(r.ignores('.', true)).toBe(false);
    expect(r.ignores('anything', false)).toBe(true);
  });
});
