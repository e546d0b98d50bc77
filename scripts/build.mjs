#!/usr/bin/env node
/**
 * `npm run build`: a clean dist/ compiled by tsc from src/, one module per file, with the type
 * declarations. This is what the package publishes (`files` in package.json); its dependencies are
 * ordinary dependencies, installed and audited by npm, never copied into dist/.
 *
 *   node scripts/build.mjs [projectDir]     (default: the repository this script is in)
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..'));
const require = createRequire(path.join(root, 'package.json'));

// Nothing left over from modules that no longer exist.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
} catch {
  // tsc has printed its diagnostics.
  process.exit(1);
}
