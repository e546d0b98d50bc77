/**
 * Runs every benchmark, one after the other, each in its own process, with the same arguments:
 *
 *   npx vite-node bench/run-all.ts -- --size=smoke     (npm run bench:smoke — what CI runs)
 *   npx vite-node bench/run-all.ts -- --size=real      (npm run bench)
 *
 * Exits non-zero only when a benchmark crashed; a missed goal is a number in the report, not a failure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, PROJECT_ROOT, stackDist } from './lib/env.js';

/** Each benchmark file, with the arguments of each of its runs (the release also runs with BuildKit). */
const BENCHMARKS: Array<{ name: string; args?: string[] }> = [
  { name: 'release' },
  { name: 'release', args: ['--builder=buildkit'] },
  { name: 'dry-run' },
  { name: 'overhead' },
  { name: 'docs-archive' },
  { name: 'growth' },
  { name: 'chart-edits' },
  { name: 'exec' },
  { name: 'build-cache' },
];

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
// Compile the measured code once, and hand every benchmark that same tree (HEAD may move meanwhile).
const dist = stackDist(args);
const passed = [
  ...args.filter((a) => !a.startsWith('--only=') && !a.startsWith('--dist=')),
  `--dist=${dist}`,
];
const failed: string[] = [];
for (const { name, args: own = [] } of BENCHMARKS.filter((b) => !only || only.includes(b.name))) {
  const start = Date.now();
  const label = [name, ...own].join(' ');
  console.log(`\n=== ${label} ${passed.join(' ')}`);
  const result = spawnSync(
    join(PROJECT_ROOT, 'node_modules/.bin/vite-node'),
    [join(BENCH_DIR, `${name}.bench.ts`), '--', ...passed, ...own],
    { cwd: PROJECT_ROOT, stdio: 'inherit' },
  );
  const seconds = ((Date.now() - start) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed.push(label);
    console.error(`=== ${label} CRASHED (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else console.log(`=== ${label} done in ${seconds} s`);
}
if (failed.length) {
  console.error(`\ncrashed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall benchmarks ran');
