/**
 * What every benchmark shares: the size it runs at, a description of the machine, and the results
 * files (bench/results/<name>.json, and bench/RESULTS.md regenerated from all of them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BENCH_DIR = join(PROJECT_ROOT, 'bench');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const RESULTS_MD = join(BENCH_DIR, 'RESULTS.md');
export const DIST = join(PROJECT_ROOT, 'dist');
/** Compiled commits: $TMPDIR/srs-bench-build/<commit>/dist. */
export const BUILD_CACHE = join(os.tmpdir(), 'srs-bench-build');

/** smoke: tiny, once, for CI (no results written); real: the default; full: adds the largest sizes. */
export type Size = 'smoke' | 'real' | 'full';

/** `--size=smoke|real|full` on the command line, else BENCH_SIZE, else `real`. */
export function benchSize(argv: readonly string[] = process.argv.slice(2)): Size {
  const arg = argv.find((a) => a.startsWith('--size='))?.slice('--size='.length);
  const size = arg ?? process.env.BENCH_SIZE ?? 'real';
  if (size !== 'smoke' && size !== 'real' && size !== 'full') {
    throw new Error(`unknown size ${JSON.stringify(size)}: use smoke, real or full`);
  }
  return size;
}

/** `--runs=N` overrides a benchmark's number of alternating runs. */
export function runsArg(fallback: number, argv: readonly string[] = process.argv.slice(2)): number {
  const arg = argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length);
  const n = arg === undefined ? fallback : Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs must be a positive integer, got ${arg}`);
  return n;
}

/**
 * The compiled plugin the benchmarks measure. Default: the committed code (HEAD), compiled once into
 * $TMPDIR/srs-bench-build/<commit>/dist (outside the repository) — other work in the same checkout may leave src/ and dist/ half-edited
 * at any moment, and a benchmark has to measure one known version. `--dist=worktree` (or
 * BENCH_DIST=worktree) measures ./dist as it is instead (run `npm run build` first); `--dist=/abs/dist`
 * a given compiled tree (run-all passes the one it compiled, so HEAD moving meanwhile changes nothing).
 */
let chosenDist: string | undefined;

export function stackDist(argv: readonly string[] = process.argv.slice(2)): string {
  chosenDist ??= compileDist(argv);
  return chosenDist;
}

function compileDist(argv: readonly string[]): string {
  const choice = argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length) ?? process.env.BENCH_DIST;
  if (choice === 'worktree') {
    if (!existsSync(join(DIST, 'index.js'))) {
      throw new Error(`${DIST}/index.js is missing: run \`npm run build\` first`);
    }
    return DIST;
  }
  if (choice?.startsWith('/')) {
    if (!existsSync(join(choice, 'index.js'))) throw new Error(`--dist=${choice}: no index.js there`);
    return choice;
  }
  if (choice && choice !== 'head') throw new Error(`unknown --dist=${choice}: use head, worktree or a path`);
  return compiledDist('HEAD');
}

/**
 * A commit (anything `git rev-parse` takes) compiled by its own build into
 * $TMPDIR/srs-bench-build/<commit>/dist, once; later calls reuse it.
 */
export function compiledDist(rev: string): string {
  const commit = execFileSync('git', ['-C', PROJECT_ROOT, 'rev-parse', `${rev}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const root = join(BUILD_CACHE, commit);
  const dist = join(root, 'dist');
  const ok = join(root, '.compiled');
  if (existsSync(ok)) return dist;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  // The commit's own build script where it has one (older commits' bundled their entry points).
  const hasBuildScript =
    spawnSync('git', ['-C', PROJECT_ROOT, 'cat-file', '-e', `${commit}:scripts/build.mjs`]).status === 0;
  const files = [
    'src',
    'tsconfig.json',
    'tsconfig.build.json',
    'package.json',
    ...(hasBuildScript ? ['scripts/build.mjs'] : []),
  ];
  const archive = execFileSync('git', ['-C', PROJECT_ROOT, 'archive', '--format=tar', commit, ...files], {
    maxBuffer: 256 * 2 ** 20,
  });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  // Outside the repository (lint and the type check never see it); dependencies through a link.
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
  console.log(`compiling ${commit.slice(0, 12)} (${rev}) into ${dist}`);
  try {
    if (hasBuildScript)
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), root], { stdio: 'inherit' });
    else
      execFileSync(join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], {
        stdio: 'inherit',
      });
  } catch {
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `commit ${commit.slice(0, 12)} (${rev}) does not compile; measure another one with --dist=worktree or --dist=/abs/dist`,
    );
  }
  writeFileSync(ok, '');
  return dist;
}

/** Which code `stackDist()` measures, for the results. */
export function distLabel(dist: string): string {
  if (dist === DIST) return "the working tree's dist/";
  const build = BUILD_CACHE + '/';
  return dist.startsWith(build) ? `commit ${dist.slice(build.length, build.length + 12)}` : dist;
}

function run(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 })
      .trim()
      .split('\n')[0]!
      .trim();
  } catch {
    return 'n/a';
  }
}

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memory: string;
  loadavg: string;
  node: string;
  python: string;
  docker: string;
  git: string;
  tar: string;
  gzip: string;
  commit: string;
}

/** The machine as the RESULTS.md header shows it; `free -h` and `nproc` as the user would type them. */
export function describeMachine(): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'n/a';
  const free = (() => {
    try {
      const out = execFileSync('free', ['-h'], { encoding: 'utf8' });
      const mem = out.split('\n').find((l) => l.startsWith('Mem:'));
      const cols = mem?.split(/\s+/) ?? [];
      return `${cols[1]} total, ${cols[6]} available (free -h)`;
    } catch {
      return `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`;
    }
  })();
  const dockerClient = run('docker', ['--version']).replace(/^Docker version ([^,]+),.*/, '$1');
  const dockerServer = run('docker', [
    '-H',
    'unix:///tmp/srs-docker/docker.sock',
    'version',
    '--format',
    '{{.Server.Version}}',
  ]);
  const dirty = run('git', ['-C', PROJECT_ROOT, 'status', '--porcelain', '--', 'src'])
    ? ' (src/ modified)'
    : '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: Number(run('nproc', [])) || os.availableParallelism(),
    cpu,
    memory: free,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    node: process.version,
    python: run('/usr/bin/python3', ['--version']),
    docker: `CLI ${dockerClient}, daemon ${dockerServer} (vfs storage driver)`,
    git: run('git', ['--version']),
    tar: run('tar', ['--version']),
    gzip: run('gzip', ['--version']),
    commit: `${run('git', ['-C', PROJECT_ROOT, 'rev-parse', '--short', 'HEAD'])}${dirty}`,
  };
}

export function machineLine(m: Machine): string {
  return (
    `${m.date} · ${m.nproc} cores (${m.cpu}) · ${m.memory} · load average at start ${m.loadavg} · ` +
    `node ${m.node} · ${m.python} · docker ${m.docker} · ${m.git} · ${m.tar} · ${m.gzip} · checkout ${m.commit}`
  );
}

export interface Headline {
  metric: string;
  value: string;
  goal: string;
  /** undefined: informational, no goal. */
  met?: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  command: string;
  size: Size;
  machine: Machine;
  /** Load average when the benchmark ended. */
  loadEnd: string;
  durationS: number;
  headlines: Headline[];
  /** The section's body (Markdown). */
  markdown: string;
  raw?: unknown;
}

const ORDER = [
  'release',
  'release-docs-20mb',
  'release-docs-200mb',
  'release-buildkit',
  'dry-run',
  'overhead',
  'docs-archive',
  'chart-edits',
  'growth',
  'build-cache',
  'shipping',
];

const HEADER = `# Benchmark results

Written by the scripts in \`bench/\` (see \`bench/README.md\` for the commands); each section is replaced
when its benchmark runs again at a real size (\`--size=smoke\` never writes here). Every ratio compares
against a baseline run **in the same invocation**, alternating with it, and the tables give medians.

**The machine is small, shared and noisy.** 2 cores and 24 GiB, no swap, and at times other
sessions' test suites (dockerd, registries, vitest workers) on the same cores, so single runs vary
by tens of percent. Medians of alternating runs cancel slow drift but not bursts; read ratios near
a goal as "about", and re-run before concluding. Each section gives its own machine line (date,
load average at start and end, tool versions): compare the load there before comparing sections.
`;

/** Saves `bench/results/<name>.json` and regenerates RESULTS.md; in smoke size, only prints. */
export function saveResult(result: BenchResult): void {
  console.log(`\n${result.markdown}\n`);
  if (result.size === 'smoke') {
    console.log(`(smoke size: ${RESULTS_MD} not written)`);
    return;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, `${result.name}.json`);
  writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
  writeResultsMd();
  // The repository's lint runs `prettier --check .`: leave both files the way prettier writes them.
  try {
    execFileSync(
      join(PROJECT_ROOT, 'node_modules/.bin/prettier'),
      ['--write', '--log-level=warn', json, RESULTS_MD],
      {
        cwd: PROJECT_ROOT,
        stdio: 'inherit',
      },
    );
  } catch (error) {
    console.error(`prettier could not format the results: ${(error as Error).message}`);
  }
  console.log(`wrote ${join(RESULTS_DIR, `${result.name}.json`)} and ${RESULTS_MD}`);
}

export function writeResultsMd(): void {
  const results: BenchResult[] = existsSync(RESULTS_DIR)
    ? readdirSync(RESULTS_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as BenchResult)
    : [];
  results.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const summary = [
    '## Summary',
    '',
    '| benchmark | metric | measured | goal | met |',
    '| --- | --- | --- | --- | --- |',
    ...results.flatMap((r) =>
      r.headlines.map(
        (h) =>
          `| [${r.name}](#${anchor(r.title)}) | ${h.metric} | ${h.value} | ${h.goal} | ${
            h.met === undefined ? '—' : h.met ? 'yes' : '**no**'
          } |`,
      ),
    ),
  ].join('\n');
  const sections = results.map((r) =>
    [
      `## ${r.title}`,
      '',
      `\`${r.command}\` — size \`${r.size}\`, ${r.durationS.toFixed(0)} s.`,
      '',
      `Machine: ${machineLine(r.machine)} · load average at end ${r.loadEnd}.`,
      '',
      r.markdown.trim(),
      ...notesOf(r.name),
    ].join('\n'),
  );
  writeFileSync(RESULTS_MD, [HEADER, summary, ...sections].join('\n\n') + '\n');
}

/** Hand-written analysis of a benchmark (bench/notes/<name>.md), kept apart from generated numbers. */
function notesOf(name: string): string[] {
  const file = join(BENCH_DIR, 'notes', `${name}.md`);
  return existsSync(file) ? ['', readFileSync(file, 'utf8').trim()] : [];
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** Runs a benchmark's main function; a crash exits 1, a missed ratio never does. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}

export function loadavg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
