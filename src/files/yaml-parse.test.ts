import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseYamlDocument } from './yaml-parse.js';

const firstError = (text: string) => parseYamlDocument(text).errors[0]?.message;

describe('parseYamlDocument', () => {
  it.each([
    ['a: 1\nb: 2\n'],
    ['a: 1\na: 2\n'],
    ['x:\n  a: 1\n  b: {c: 1, c: 2}\n'],
    ['"1": a\n1: b\n'],
    ['? [a, a]\n: 1\n? {k: 1, k: 2}\n: 2\n'],
    ['.nan: 1\n.nan: 2\n'],
    [': 1\n: 2\n'],
    ['a: 1\nb: [\n'],
    ['a: 1\na: 2\nb: [\n'],
    ['a: &x 1\n*x : 2\n'],
    ['v: 1\n---\nv: 2\n'],
  ])('reports what parseDocument reports for %j', (text) => {
    const expected = parseDocument(text);
    const actual = parseYamlDocument(text);
    expect(actual.errors.map((e) => e.message)).toEqual(expected.errors.map((e) => e.message));
    expect(actual.toJS({ mapAsMap: true })).toEqual(expected.toJS({ mapAsMap: true }));
  });

  it('finds a repeated key among many', () => {
    // Only a file with a repeated key pays for the library's quadratic check, so this one stays small.
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}: ${i}`);
    expect(firstError([...keys, 'k5: again'].join('\n'))).toMatch(/^Map keys must be unique at line 2001/);
    expect(firstError(keys.join('\n'))).toBeUndefined();
  });
});
