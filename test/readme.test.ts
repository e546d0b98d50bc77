import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors.js';
import { KINDS } from '../src/kinds/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
};

describe('the README is true', () => {
  it('documents every error code', () => {
    const missing = Object.keys(ERRORS).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('documents every entry point of the package', () => {
    const entries = Object.keys(pkg.exports).filter((e) => e !== './package.json');
    const missing = entries.filter(
      (e) => !readme.includes(e === '.' ? 'semantic-release-stack' : `semantic-release-stack${e.slice(1)}`),
    );
    expect(missing).toEqual([]);
  });

  it('has a section for every kind and an entry point for each', () => {
    for (const kind of KINDS) {
      expect(readme, kind.name).toMatch(new RegExp(`\`${kind.name}\``));
      expect(Object.keys(pkg.exports)).toContain(`./${kind.entry}`);
    }
  });

  it('has every chapter once (a generated chapter must not pull in the README itself)', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it('is in sync with the chapters in docs/', () => {
    execFileSync('node', ['scripts/readme.mjs', '--check'], { cwd: new URL('..', import.meta.url) });
  });
});
