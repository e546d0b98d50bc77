#!/usr/bin/env node
// Puts the chapters of docs/ into README.md between their markers, so each kind's options, env vars
// and error codes are written once (next to the kind) and shown in the README.
//   node scripts/readme.mjs          rewrite README.md
//   node scripts/readme.mjs --check  exit 1 when README.md is out of date
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as prettier from 'prettier';

const CHAPTERS = {
  kinds: ['docs/kinds/python.md', 'docs/kinds/docs.md', 'docs/kinds/docker.md', 'docs/kinds/helm.md'],
  recovery: ['docs/failure-and-recovery.md'],
};

const readme = readFileSync('README.md', 'utf8');
let next = readme;
for (const [name, files] of Object.entries(CHAPTERS)) {
  const begin = `<!-- BEGIN ${name} (generated from ${files.join(', ')} by scripts/readme.mjs) -->`;
  const end = `<!-- END ${name} -->`;
  const body = files
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8').trim())
    .join('\n\n');
  const block = `${begin}\n\n${body}\n\n${end}`;
  const pattern = new RegExp(`<!-- BEGIN ${name} [^>]*-->[\\s\\S]*?<!-- END ${name} -->`);
  if (pattern.test(next)) next = next.replace(pattern, () => block);
  else if (next.includes(`<!-- ${name.toUpperCase()} -->`))
    next = next.replace(`<!-- ${name.toUpperCase()} -->`, () => block);
}

// The README is checked by `prettier --check` too, so it is written the way prettier would write it.
const options = (await prettier.resolveConfig('README.md')) ?? {};
next = await prettier.format(next, { ...options, filepath: 'README.md' });

if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md is out of date with docs/: run `node scripts/readme.mjs`');
    process.exit(1);
  }
} else if (next !== readme) {
  writeFileSync('README.md', next);
}
