import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ERRORS as SHARED_ERRORS } from '../src/errors.js';
import { ERRORS, KINDS } from '../src/kinds/index.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { exports: Record<string, unknown> };

/**
 * Where the shared codes are tabled: anywhere in the README but the kinds' generated chapters (its
 * own "Error codes" table, the recovery and signing chapters).
 */
function sharedCodesTables(): string {
  return readme.replace(/<!-- BEGIN kinds [\s\S]*<!-- END kinds -->/, '');
}

describe('the README is true', () => {
  it('documents every error code of the one table', () => {
    const missing = Object.keys(ERRORS).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("lists the shared codes in its own table and each kind's codes in the kind's chapter", () => {
    const table = sharedCodesTables();
    expect(Object.keys(SHARED_ERRORS).filter((code) => !table.includes(`| \`${code}\``))).toEqual([]);
    for (const kind of KINDS) {
      const chapter = read(`docs/kinds/${kind.entry}.md`);
      const missing = Object.keys(kind.errors ?? {}).filter((code) => !chapter.includes(`| \`${code}\``));
      expect(missing, kind.name).toEqual([]);
    }
  });

  it('documents every entry point of the package: the composite, the preset and each kind', () => {
    const entries = ['', '/preset', '/github-latest', ...KINDS.map((k) => `/${k.entry}`)];
    const missing = entries.filter((e) => !readme.includes(`semantic-release-stack${e}`));
    expect(missing).toEqual([]);
    // The kinds' entry points are one subpath pattern onto their folders, not a list to keep up;
    // github-latest is the preset's step after @semantic-release/github, not a kind.
    expect(Object.keys(pkg.exports).sort()).toEqual([
      '.',
      './*',
      './github-latest',
      './package.json',
      './preset',
    ]);
  });

  it('has a section for every kind', () => {
    for (const kind of KINDS) expect(readme, kind.name).toMatch(new RegExp(`\`${kind.name}\``));
  });

  it('has every chapter once (a generated chapter must not pull in the README itself)', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it('is in sync with the chapters in docs/', () => {
    execFileSync('node', ['scripts/readme.mjs', '--check'], { cwd: new URL('..', import.meta.url) });
  });
});
