/**
 * The architecture's promises, checked on the source: a kind is one folder and one line (no central
 * file names a kind; every kind folder has its entry point and chapter), and no module keeps mutable
 * state (caches belong to a plugin instance: core/caches.ts).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../src/kinds/index.js';
import { PROJECT_ROOT } from './helpers/semantic-release.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walk(file) : [file];
  });
const relative = (file: string) => path.relative(PROJECT_ROOT, file);
const parse = (file: string) =>
  ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
const lineOf = (source: ts.SourceFile, node: ts.Node) =>
  source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

const sources = walk(path.join(PROJECT_ROOT, 'src')).filter(
  (f) => /\.(ts|mjs)$/.test(f) && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'),
);

/** Every file outside the kinds' folders, but the list of kinds itself, and the build scripts. */
const CENTRAL = [
  ...sources.filter((f) => !/src\/kinds\//.test(relative(f))),
  ...['scripts/build.mjs', 'scripts/readme.mjs'].map((f) => path.join(PROJECT_ROOT, f)),
];

/**
 * Literals that spell a kind's word for another thing: `python` is also a version-file format
 * (`{ "type": "python" }` edits a `__version__` assignment), which the file editors own.
 */
const NOT_A_KIND: Record<string, string[]> = {
  'src/files/editor.ts': ['python'],
  'src/files/edit-text.ts': ['python'],
};

/**
 * Where a central file names a kind: its name or entry (as a literal, or quoted inside a message),
 * an import from its folder, or its chapter. Artifact types are the sanctioned way for a central
 * consumer to find what kinds made (signing reads `image`, `wheel`…), so they are not names here.
 */
function kindNames(file: string, words: ReadonlySet<string>): string[] {
  const source = parse(file);
  const allowed = new Set(NOT_A_KIND[relative(file)] ?? []);
  const quoted = [...words].map((w) => new RegExp(`[\`"']${w}[\`"']`));
  const hits: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const text = node.text;
      const named =
        (words.has(text) && !allowed.has(text)) ||
        quoted.some((q) => q.test(text)) ||
        /(^|\/)kinds\/[a-z0-9-]+\//.test(text) ||
        /docs\/kinds\/[a-z0-9-]+\.md/.test(text);
      if (named) hits.push(`${relative(file)}:${lineOf(source, node)} ${JSON.stringify(text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

describe('a kind is one folder and one line', () => {
  const words = new Set(KINDS.flatMap((k) => [k.name, k.entry]));

  it('no central file names a kind', () => {
    expect(CENTRAL.flatMap((file) => kindNames(file, words))).toEqual([]);
  });

  it('the check sees a kind named in a central file', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-architecture-'));
    const file = path.join(dir, 'central.ts');
    await writeFile(
      file,
      "import { x } from './kinds/docker/tags.js';\nif (kind.name === 'docs') run();\nthrow msg(`enable \\`helm\\``);\n",
    );
    try {
      expect(kindNames(file, words).map((hit) => hit.replace(/^.*:(\d+) /, '$1 '))).toEqual([
        '1 "./kinds/docker/tags.js"',
        '2 "docs"',
        '3 "enable `helm`"',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every kind has its folder, standalone entry point and chapter, and its artifact types are its own', () => {
    const types = KINDS.flatMap((k) => k.artifacts.map((a) => a.type));
    expect(types.filter((t, i) => types.indexOf(t) !== i)).toEqual([]);
    for (const kind of KINDS) {
      expect(existsSync(path.join(PROJECT_ROOT, 'src/kinds', kind.entry, 'index.ts')), kind.entry).toBe(true);
      expect(existsSync(path.join(PROJECT_ROOT, 'src/kinds', kind.entry, 'plugin.ts')), kind.entry).toBe(
        true,
      );
      expect(existsSync(path.join(PROJECT_ROOT, 'docs/kinds', `${kind.entry}.md`)), kind.entry).toBe(true);
    }
  });

  it("every kind's standalone entry point is a semantic-release plugin", async () => {
    for (const kind of KINDS) {
      const file = pathToFileURL(path.join(PROJECT_ROOT, 'src/kinds', kind.entry, 'plugin.ts')).href;
      const plugin = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
      for (const step of ['verifyConditions', 'verifyRelease', 'prepare', 'publish', 'addChannel', 'success'])
        expect(typeof plugin[step], `${kind.entry}.${step}`).toBe('function');
    }
  });
});

/**
 * Module-level mutable state in src/: a top-level `let`/`var`, or a top-level collection the module
 * changes (`.set`, `.add`, `.push`, `.delete`, `.clear`, an assignment into it).
 */
function moduleState(file: string): string[] {
  const source = parse(file);
  const hits: string[] = [];
  const collections = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const flags = statement.declarationList.flags;
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText(source);
      if (!(flags & ts.NodeFlags.Const))
        hits.push(`${relative(file)}:${lineOf(source, statement)} let ${name}`);
      else if (declaration.initializer) collections.add(name);
    }
  }
  const MUTATORS = new Set(['set', 'add', 'push', 'delete', 'clear', 'splice', 'unshift', 'pop', 'shift']);
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      collections.has(node.expression.text) &&
      MUTATORS.has(node.name.text) &&
      ts.isCallExpression(node.parent) &&
      !isShadowed(node)
    )
      hits.push(`${relative(file)}:${lineOf(source, node)} ${node.getText(source)}`);
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isElementAccessExpression(node.left) || ts.isPropertyAccessExpression(node.left)) &&
      ts.isIdentifier(node.left.expression) &&
      collections.has(node.left.expression.text) &&
      !isShadowed(node.left)
    )
      hits.push(`${relative(file)}:${lineOf(source, node)} ${node.left.getText(source)} =`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

/** A name declared again inside a function (a local of the same name) is not the module's. */
function isShadowed(node: ts.Node): boolean {
  const name = (node as ts.PropertyAccessExpression).expression.getText();
  for (let scope = node.parent; scope && !ts.isSourceFile(scope); scope = scope.parent) {
    if (!ts.isFunctionLike(scope) && !ts.isBlock(scope)) continue;
    let declared = false;
    scope.forEachChild(function find(child) {
      if (declared) return;
      if (ts.isVariableDeclaration(child) && child.name.getText() === name) declared = true;
      else if (ts.isParameter(child) && child.name.getText() === name) declared = true;
      else if (!ts.isFunctionLike(child)) child.forEachChild(find);
    });
    if (declared) return true;
  }
  return false;
}

describe('no module-level mutable state in src/', () => {
  it('keeps caches in the plugin instance, not in modules', () => {
    expect(sources.flatMap((file) => moduleState(file))).toEqual([]);
  });

  it('the check sees module state', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-architecture-'));
    const file = path.join(dir, 'stateful.ts');
    await writeFile(
      file,
      'let calls = 0;\nconst seen = new Map<string, number>();\nexport function f(k: string) {\n  calls++;\n  seen.set(k, calls);\n}\n',
    );
    try {
      expect(moduleState(file).map((hit) => hit.replace(/^.*:(\d+) /, '$1 '))).toEqual([
        '1 let calls',
        '5 seen.set',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
