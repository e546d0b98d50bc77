#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ into dist/ with tsc, then replaces each compiled src/vendor/*.js
 * with a single-file bundle of the package it re-exports.
 *
 * Why: semantic-release loads the plugin, and in a dry run its module loading is most of what the
 * stack costs. zod, yaml and toml-eslint-parser are spread over hundreds of small modules; Node
 * resolves, reads and links each one. The same code as one file loads in a third of the time
 * (measured with Node 20: zod 80 → 34 ms, yaml 40 → 10 ms, toml-eslint-parser 25 → 1 ms; see
 * bench/notes/dry-run.md). The stack's own modules are not bundled: they are few, cheap, and
 * their relative layout is relied on (the docs archive's worker is a file next to its module).
 * Tests run src/ directly, where src/vendor/*.ts are plain re-exports of the packages.
 *
 *   node scripts/build.mjs [projectDir]     (default: the repository this script is in)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..'));
const require = (await import('node:module')).createRequire(path.join(root, 'package.json'));

try {
  execFileSync(require.resolve('typescript/bin/tsc'), ['-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
} catch {
  // tsc has printed its diagnostics.
  process.exit(1);
}

const vendorSrc = path.join(root, 'src', 'vendor');
const vendorOut = path.join(root, 'dist', 'vendor');

/** The bundled package's name, version and licence, kept at the top of its bundle. */
function banner(pkg) {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  const { version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const text = readFileSync(path.join(dir, 'LICENSE'), 'utf8').trim().replaceAll('*/', '* /');
  return `/*! ${pkg}@${version} (${license}), bundled by semantic-release-stack's build.\n\n${text}\n*/`;
}

for (const file of readdirSync(vendorSrc).filter((f) => f.endsWith('.ts'))) {
  const source = readFileSync(path.join(vendorSrc, file), 'utf8');
  const pkg = /from '([^'.][^']*)'/.exec(source)?.[1];
  if (!pkg) throw new Error(`src/vendor/${file} re-exports no package`);
  const outfile = path.join(vendorOut, file.replace(/\.ts$/, '.js'));
  // What tsc's re-export provides is what the bundle must provide (a CommonJS package behind
  // `export *` would silently bundle to nothing).
  const names = async (tag) =>
    Object.keys(await import(`${pathToFileURL(outfile)}?${tag}`))
      .sort()
      .join();
  const expected = await names('tsc');
  await build({
    entryPoints: [path.join(vendorSrc, file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // A CommonJS package inside an ES module bundle still calls require() for Node's built-ins.
    banner: {
      js: `${banner(pkg)}\nimport { createRequire as __srsRequire } from 'node:module';\nconst require = __srsRequire(import.meta.url);`,
    },
  });
  // tsc's source map described the re-export the bundle replaced.
  rmSync(`${outfile}.map`, { force: true });
  const bundled = await names('bundle');
  if (bundled !== expected) {
    console.error(
      `dist/vendor/${path.basename(outfile)} exports [${bundled}], src/vendor/${file} [${expected}]`,
    );
    process.exit(1);
  }
}
