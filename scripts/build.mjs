#!/usr/bin/env node
/**
 * `npm run build`:
 *
 * 1. tsc compiles src/ one module to one file into dist/: the type declarations, and the modules
 *    the tests that reach into dist/ load.
 * 2. esbuild replaces the package's entry points (dist/index.js, dist/entry/*.js, dist/preset.js,
 *    dist/cli.js) with bundles that share their code through dist/chunks/, zod, yaml and
 *    toml-eslint-parser included. Only these, the chunks and the declarations are published
 *    (`files` in package.json).
 * 3. The docs archive's worker is bundled on its own and placed next to every output that starts
 *    it (`new URL('./archive-worker.js', import.meta.url)` in src/kinds/docs/archive.ts).
 *
 * Why bundle: semantic-release loads the plugin in every run, and in a dry run loading it was most
 * of what the stack cost. Node resolves, reads and links each module on its own: the ~95 modules of
 * the plugin and the hundreds of zod's, yaml's and toml-eslint-parser's. Measured with Node 20
 * (bench/notes/dry-run.md): importing the plugin took ~150 ms one module per file and ~100 ms as
 * bundles; a stack-only dry run went from 1.27× to 1.20× of a bare one. Code that only some steps
 * need (the chart index, the TOML and YAML parsers) stays in chunks loaded on first use. zod is
 * imported as a namespace in src/ (eslint.config.js enforces it), so only the zod code the plugin
 * uses is bundled: ~55 ms to import instead of ~115 ms with all of zod's locales.
 *
 *   node scripts/build.mjs [projectDir]     (default: the repository this script is in)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..'));
const require = createRequire(path.join(root, 'package.json'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dist = path.join(root, 'dist');

/** Bundled into the plugin; every other dependency is loaded from node_modules as usual. */
const BUNDLED = ['zod', 'yaml', 'toml-eslint-parser'];
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter(
  (d) => !BUNDLED.includes(d),
);

// A clean dist/: nothing left over from modules that no longer exist.
rmSync(dist, { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
} catch {
  // tsc has printed its diagnostics.
  process.exit(1);
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  // yaml and toml-eslint-parser are CommonJS: inside an ES module they still call require().
  banner: {
    js: "import { createRequire as __srsRequire } from 'node:module';\nconst require = __srsRequire(import.meta.url);",
  },
};

const entries = {
  index: 'src/index.ts',
  preset: 'src/preset.ts',
  cli: 'src/cli.ts',
  ...Object.fromEntries(
    ['python', 'docs', 'docker', 'helm', 'dev-version'].map((e) => [`entry/${e}`, `src/entry/${e}.ts`]),
  ),
};
const result = await build({
  ...common,
  absWorkingDir: root,
  entryPoints: entries,
  outdir: dist,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});

// tsc's source maps described the modules the bundles replaced.
for (const out of Object.keys(entries)) rmSync(path.join(dist, `${out}.js.map`), { force: true });

// The worker goes where the code that starts it looks for it.
const WORKER_SRC = 'src/kinds/docs/archive-worker.ts';
const WORKER_REF = '"./archive-worker.js"';
const starters = Object.keys(result.metafile.outputs)
  .map((out) => path.join(root, out))
  .filter((file) => file.endsWith('.js') && readFileSync(file, 'utf8').includes(WORKER_REF));
if (existsSync(path.join(root, WORKER_SRC)) && starters.length === 0)
  throw new Error(`no bundle refers to ${WORKER_REF}: did the docs archive move?`);
for (const dir of new Set(starters.map((f) => path.dirname(f)))) {
  await build({
    ...common,
    absWorkingDir: root,
    entryPoints: [WORKER_SRC],
    outfile: path.join(dir, 'archive-worker.js'),
  });
}

// The licences of what the bundles contain travel with them.
const notices = BUNDLED.map((name) => {
  const dir = path.dirname(require.resolve(`${name}/package.json`));
  const { version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return `## ${name}@${version} (${license})\n\n${readFileSync(path.join(dir, 'LICENSE'), 'utf8').trim()}\n`;
});
writeFileSync(
  path.join(dist, 'THIRD-PARTY-LICENSES.md'),
  `# Bundled third-party code\n\nThe files in this folder contain these packages.\n\n${notices.join('\n')}`,
);
