#!/usr/bin/env node
// Puts the chapters of docs/ into README.md between their markers, so each kind's options, env vars
// and error codes are written once (next to the kind) and shown in the README. The kinds' chapters
// are `docs/kinds/<entry>.md`, in the order of the list of kinds (src/kinds/index.ts).
//   node scripts/readme.mjs          rewrite README.md
//   node scripts/readme.mjs --check  exit 1 when README.md is out of date
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as prettier from 'prettier';
import ts from 'typescript';

/**
 * The folders of the kinds in `KINDS`, in its order: each element of the array is an identifier
 * imported from `./<folder>/index.js`. Read from the source, so no build is needed first.
 */
function kindFolders(file = 'src/kinds/index.ts') {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const folderOf = new Map();
  let list;
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const folder = /^\.\/([^/]+)\/index\.js$/.exec(node.moduleSpecifier.text)?.[1];
      const names = node.importClause?.namedBindings;
      if (folder && names && ts.isNamedImports(names))
        for (const element of names.elements) folderOf.set(element.name.text, folder);
    }
    if (ts.isVariableStatement(node))
      for (const declaration of node.declarationList.declarations) {
        if (declaration.name.getText(source) !== 'KINDS') continue;
        let value = declaration.initializer;
        while (value && !ts.isArrayLiteralExpression(value)) value = value.expression;
        list = value?.elements.map((element) => element.getText(source));
      }
  }
  if (!list) throw new Error(`${file} has no KINDS array`);
  return list.map((name) => {
    const folder = folderOf.get(name);
    if (!folder) throw new Error(`${file}: ${name} is not imported from a kind folder's index.js`);
    return folder;
  });
}

const kindChapters = kindFolders().map((folder) => `docs/kinds/${folder}.md`);
const missing = kindChapters.filter((f) => !existsSync(f));
if (missing.length) {
  console.error(`every kind needs its chapter; missing: ${missing.join(', ')}`);
  process.exit(1);
}

const CHAPTERS = {
  kinds: kindChapters,
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
