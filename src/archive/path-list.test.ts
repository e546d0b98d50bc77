import { describe, expect, it } from 'vitest';
import { PathList } from './path-list.js';

describe('PathList', () => {
  it('sorts by UTF-8 bytes, not by UTF-16 units, and keeps kinds and link targets', () => {
    const list = new PathList();
    // U+FF5E sorts before U+1F600 in UTF-8 (and code point) order, after it in UTF-16 units.
    const rels = ['b', 'a/z.txt', 'a', 'a-b.txt', '\u{1F600}.txt', '\uFF5E.txt', 'é', ''];
    for (const rel of rels) list.push({ rel, kind: rel.endsWith('.txt') ? 'file' : 'directory' });
    list.push({ rel: 'latest', kind: 'symlink', target: 'b' });
    list.sortByBytes();
    const expected = [...rels, 'latest'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...list].map((e) => e.rel)).toEqual(expected);
    expect(list.length).toBe(9);
    expect([...list].find((e) => e.rel === 'latest')).toEqual({
      rel: 'latest',
      kind: 'symlink',
      target: 'b',
    });
    expect([...list.files()]).toEqual(['a-b.txt', 'a/z.txt', '\uFF5E.txt', '\u{1F600}.txt']);
  });

  it('grows past its first buffers', () => {
    const list = new PathList();
    const rels = Array.from({ length: 5000 }, (_, i) => `dir-${i % 7}/${'x'.repeat(i % 40)}-${i}.html`);
    for (const rel of rels) list.push({ rel, kind: 'file' });
    list.sortByBytes();
    expect([...list.files()]).toEqual([...rels].sort());
  });
});
