/**
 * Before/after of a change to how the plugin is built and shipped (issue 14: esbuild bundles at
 * 930be6b against tsc's plain output at dd09c66): the dry-run, overhead and release benchmarks run
 * against both compiled trees in the same session, in alternating order (ABBA over the cycles),
 * plus the plugin's import time in fresh processes, alternating one by one. Each benchmark runs
 * unchanged in its own process with `--dist=<tree>`; its results file is read and the one it
 * replaced put back, so results/<benchmark>.json keep their own runs. Writes results/shipping.json.
 *
 *   npx vite-node bench/shipping.bench.ts -- [--before=930be6b] [--after=dd09c66] [--cycles=4]
 *                                           [--release-runs=3] [--imports=12] [--benches=dry-run,overhead,release]
 *                                           [--size=smoke|real] [--from=FILE | --continue=FILE]
 *
 * `--size=smoke` runs one cycle with one round each (sizes real, `--runs=1`) and writes nothing.
 * Measurements go to a file in $TMPDIR as they come in; `--from=FILE` makes the report from one again,
 * `--continue=FILE` measures on where an interrupted session stopped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BENCH_DIR,
  PROJECT_ROOT,
  RESULTS_DIR,
  RESULTS_MD,
  benchSize,
  compiledDist,
  describeMachine,
  loadavg,
  runMain,
  saveResult,
  type BenchResult,
  type Machine,
} from './lib/env.js';
import { importMs } from './lib/import-time.js';
import { median, ms, ratio, table } from './lib/stats.js';

type Side = 'before' | 'after';
const SIDES: Side[] = ['before', 'after'];
type BenchName = 'dry-run' | 'overhead' | 'release';

interface Invocation {
  bench: BenchName;
  side: Side;
  loadStart: string;
  result: BenchResult;
  /** Why the first attempt crashed, when it was run twice. */
  retried?: string;
}

interface Measured {
  /** The machine when the session started, and the session's first and latest measurement. */
  machine: Machine;
  startedMs: number;
  lastMs: number;
  /** The load average at the latest measurement. */
  loadLast: string;
  invocations: Invocation[];
  imports: Record<Side | 'empty', number[]>;
}

interface OverheadRun {
  wallMs: number;
  toolsMs: number;
  cpuInStepsMs: number;
  profile: { stackInclusiveMs: number; stackOutsideStepsMs: number };
}

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

function runBench(bench: BenchName, dist: string, extra: string[]): BenchResult {
  const json = join(RESULTS_DIR, `${bench}.json`);
  const kept = [json, RESULTS_MD].map((f) => [f, existsSync(f) ? readFileSync(f) : undefined] as const);
  try {
    const run = spawnSync(
      join(PROJECT_ROOT, 'node_modules/.bin/vite-node'),
      [join(BENCH_DIR, `${bench}.bench.ts`), '--', '--size=real', `--dist=${dist}`, ...extra],
      { cwd: PROJECT_ROOT, stdio: 'inherit' },
    );
    if (run.status !== 0) throw new Error(`${bench} --dist=${dist} exited with ${run.status ?? run.signal}`);
    return JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
  } finally {
    // Leave the benchmark's own results as they were: this run measures something else.
    for (const [file, content] of kept) {
      if (content) writeFileSync(file, content);
      else rmSync(file, { force: true });
    }
  }
}

/**
 * A benchmark that crashes (the shared dockerd refusing a build, say) runs once more; the record
 * says so. A second crash ends the session (`--continue` picks it up).
 */
function runOnceMore(run: () => BenchResult): { result: BenchResult; retried?: string } {
  try {
    return { result: run() };
  } catch (error) {
    const reason = (error as Error).message;
    console.error(`${reason}: running it once more`);
    return { result: run(), retried: reason };
  }
}

/** What `npm pack` would publish from a compiled tree: files, packed and unpacked bytes. */
function packed(dist: string): { files: number; size: number; unpackedSize: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dirname(dist),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [info] = JSON.parse(out) as Array<{ entryCount: number; size: number; unpackedSize: number }>;
  return { files: info!.entryCount, size: info!.size, unpackedSize: info!.unpackedSize };
}

const raw = <T>(r: BenchResult): T => r.raw as T;

/** An invocation as results/shipping.json keeps it: the samples, not the traced runs' tables. */
function compact({ result, ...inv }: Invocation): Record<string, unknown> {
  const data = result.raw as Record<string, unknown>;
  const samples =
    inv.bench === 'overhead'
      ? (data.results as OverheadRun[]).map((o) => ({
          wallMs: o.wallMs,
          toolsMs: o.toolsMs,
          cpuInStepsMs: o.cpuInStepsMs,
          stackInclusiveMs: o.profile.stackInclusiveMs,
          stackOutsideStepsMs: o.profile.stackOutsideStepsMs,
        }))
      : { walls: data.walls, ...(inv.bench === 'release' ? { pairRatios: data.pairRatios } : {}) };
  return { ...inv, loadEnd: result.loadEnd, headlines: result.headlines, samples };
}
const pool = (xs: number[][]): number[] => xs.flat();
const kb = (b: number): string => `${(b / 1e3).toFixed(0)} kB`;

async function main(): Promise<void> {
  const size = benchSize();
  const smoke = size === 'smoke';
  const revs: Record<Side, string> = { before: arg('before', '930be6b'), after: arg('after', 'dd09c66') };
  const cycles = smoke ? 1 : Number(arg('cycles', '4'));
  const releaseRuns = smoke ? '1' : arg('release-runs', '3');
  const importRounds = smoke ? 1 : Number(arg('imports', '12'));
  const dist: Record<Side, string> = { before: compiledDist(revs.before), after: compiledDist(revs.after) };
  const commit = (s: Side) => dist[s].split('/').at(-2)!.slice(0, 12);

  // Every measurement is also kept in a file as it comes in: `--from=FILE` reports from it again.
  // `--continue=FILE` measures on where an interrupted session stopped, into the same file.
  const from = arg('from', '');
  const resume = arg('continue', '');
  const log = from || resume || join(tmpdir(), `srs-shipping-${Date.now()}.json`);
  const saved = from || resume ? (JSON.parse(readFileSync(log, 'utf8')) as Measured) : undefined;
  const session: Measured = saved ?? {
    machine: describeMachine(),
    startedMs: Date.now(),
    lastMs: Date.now(),
    loadLast: loadavg(),
    invocations: [],
    imports: { before: [], after: [], empty: [] },
  };
  const { invocations, imports } = session;
  const keep = () => {
    Object.assign(session, { lastMs: Date.now(), loadLast: loadavg() });
    writeFileSync(log, JSON.stringify(session));
  };
  const allBenches: Array<[BenchName, string[]]> = [
    ['dry-run', smoke ? ['--runs=1'] : []],
    ['overhead', smoke ? ['--runs=1'] : []],
    ['release', [`--runs=${releaseRuns}`]],
  ];
  // `--benches=dry-run` (a comma list) runs only those; `--benches=` only the imports.
  const only = arg('benches', 'dry-run,overhead,release').split(',');
  const benches = allBenches.filter(([name]) => only.includes(name));
  if (!saved) console.log(`measurements kept in ${log}`);
  let alreadyRun = invocations.length;
  for (let c = 0; c < (from ? 0 : cycles); c++) {
    // ABBA: the side that runs first changes with every cycle and every benchmark.
    for (const [k, [bench, extra]] of benches.entries()) {
      const order = (c + k) % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        if (alreadyRun-- > 0) continue;
        const loadStart = loadavg();
        console.log(`\n=== cycle ${c + 1}/${cycles}: ${bench}, ${side} (${commit(side)}), load ${loadStart}`);
        invocations.push({
          bench,
          side,
          loadStart,
          ...runOnceMore(() => runBench(bench, dist[side], extra)),
        });
        keep();
      }
    }
    if (imports.before.length >= (c + 1) * importRounds) continue;
    for (let i = 0; i < importRounds; i++) {
      const order = i % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order)
        imports[side].push(importMs(pathToFileURL(join(dist[side], 'index.js')).href));
      imports.empty.push(importMs(undefined));
    }
    keep();
    console.log(`imports so far: ${SIDES.map((s) => `${s} ${ms(median(imports[s]))}`).join(', ')}`);
  }
  const of = (bench: BenchName, side: Side) =>
    invocations.filter((i) => i.bench === bench && i.side === side).map((i) => i.result);
  const importCost = (s: Side) => median(imports[s]) - median(imports.empty);
  const dryWalls = (s: Side, v: string) =>
    pool(of('dry-run', s).map((r) => raw<{ walls: Record<string, number[]> }>(r).walls[v] ?? []));
  const dryRatio = (s: Side, v: string) =>
    median(
      of('dry-run', s).map((r) => {
        const w = raw<{ walls: Record<string, number[]> }>(r).walls;
        return median(w[v]!) / median(w.bare!);
      }),
    );
  const over = (s: Side) => of('overhead', s).flatMap((r) => raw<{ results: OverheadRun[] }>(r).results);
  const overMed = (s: Side, f: (o: OverheadRun) => number) => median(over(s).map(f));
  const inSteps = (o: OverheadRun) => o.profile.stackInclusiveMs - o.profile.stackOutsideStepsMs;
  const relWalls = (s: Side, v: string) =>
    pool(of('release', s).map((r) => raw<{ walls: Record<string, number[]> }>(r).walls[v] ?? []));
  const relRatios = (s: Side) => of('release', s).flatMap((r) => raw<{ pairRatios: number[] }>(r).pairRatios);
  const pack = { before: packed(dist.before), after: packed(dist.after) };

  /** A value's format, and how the difference of two is written. */
  const KIND = {
    ms: [ms, (d: number) => `${d >= 0 ? '+' : ''}${ms(d)}`],
    ratio: [ratio, (d: number) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`],
    pct: [(v: number) => `${v.toFixed(1)} %`, (d: number) => `${d >= 0 ? '+' : ''}${d.toFixed(1)} points`],
    count: [String, (d: number) => `${d >= 0 ? '+' : ''}${d}`],
    kB: [kb, (d: number) => `${d >= 0 ? '+' : ''}${kb(d)}`],
  } satisfies Record<string, [(v: number) => string, (d: number) => string]>;
  type Row = [string, (s: Side) => number, keyof typeof KIND];
  const rows: Row[] = [
    [
      `import of dist/index.js after semantic-release and the preset's other plugins (fresh node; ${imports.before.length} each, alternating)`,
      importCost,
      'ms',
    ],
    ['dry run, the stack as the only plugin: median wall', (s) => median(dryWalls(s, 'stack-alone')), 'ms'],
    ['… / bare semantic-release (median of each run’s ratio)', (s) => dryRatio(s, 'stack-alone'), 'ratio'],
    ['dry run, the preset with the stack: median wall', (s) => median(dryWalls(s, 'stack')), 'ms'],
    ['… / bare semantic-release', (s) => dryRatio(s, 'stack'), 'ratio'],
    [
      'dry run, time the stack adds to the preset (median difference)',
      (s) => median(dryWalls(s, 'stack')) - median(dryWalls(s, 'preset-without-stack')),
      'ms',
    ],
    [
      "full release: stack's CPU in its steps (profile samples with a frame in dist/)",
      (s) => overMed(s, inSteps),
      'ms',
    ],
    [
      "… the process's CPU during the stack's steps (process.cpuUsage)",
      (s) => overMed(s, (o) => o.cpuInStepsMs),
      'ms',
    ],
    [
      "… CPU in the stack's code outside its steps (module evaluation)",
      (s) => overMed(s, (o) => o.profile.stackOutsideStepsMs),
      'ms',
    ],
    [
      '… overhead: stack CPU / child-process time',
      (s) => (100 * overMed(s, inSteps)) / overMed(s, (o) => o.toolsMs),
      'pct',
    ],
    ['full release (the preset, 5 assets): median wall', (s) => median(relWalls(s, 'stack')), 'ms'],
    ['… / baseline A (median of the rounds’ ratios)', (s) => median(relRatios(s)), 'ratio'],
    ['published files (npm pack)', (s) => pack[s].files, 'count'],
    ['published size, packed', (s) => pack[s].size, 'kB'],
    ['published size, unpacked', (s) => pack[s].unpackedSize, 'kB'],
  ];

  const cyclesRun = of('dry-run', 'before').length;
  const per = (n: number) => (n / Math.max(cyclesRun, 1)).toFixed(0);
  const markdown = [
    `Measured: **before** = commit ${commit('before')} (esbuild bundles of the entry points, zod, yaml and toml-eslint-parser inside \`dist/chunks\`), **after** = commit ${commit('after')} (tsc's one file per module, dependencies from node_modules). Same node_modules, semantic-release, Node and services for both. ${cyclesRun} cycle(s); in each, the dry-run (${per(dryWalls('before', 'bare').length)} rounds), overhead (${per(over('before').length)} profiled releases) and release (${per(relWalls('before', 'stack').length)} rounds) benchmarks ran once against each tree, the tree going first alternating (ABBA), then ${per(imports.before.length)} import pairs. Figures pool the runs of all cycles: per tree, ${dryWalls('before', 'bare').length} dry-run rounds, ${over('before').length} profiled releases, ${relWalls('before', 'stack').length} timed releases of the stack and ${imports.before.length} imports.`,
    '',
    table(
      [
        'measure',
        `before (${commit('before')}, bundles)`,
        `after (${commit('after')}, tsc)`,
        'after − before',
        'after / before',
      ],
      rows.map(([label, f, kind]) => {
        const [format, difference] = KIND[kind];
        const b = f('before');
        const a = f('after');
        return [label, format(b), format(a), difference(a - b), ratio(a / b)];
      }),
    ),
    '',
    `Import samples (ms): before ${imports.before.map((x) => x.toFixed(0)).join(', ')}; after ${imports.after.map((x) => x.toFixed(0)).join(', ')}; nothing imported ${imports.empty.map((x) => x.toFixed(0)).join(', ')}.`,
    '',
    'Each invocation, in order, with the load average at its start:',
    '',
    table(
      ['#', 'benchmark', 'side', 'load at start (1, 5, 15 min)', 'its headline'],
      invocations.map((inv, i) => [
        i + 1,
        inv.bench,
        inv.side,
        inv.loadStart,
        inv.result.headlines
          .map((h) => `${h.metric}: ${h.value}`)
          .slice(0, 2)
          .join('; ') + (inv.retried ? ` (run twice: the first crashed, ${inv.retried})` : ''),
      ]),
    ),
  ].join('\n');
  const headline = (i: number, metric: string): BenchResult['headlines'][number] => {
    const [, f, kind] = rows[i]!;
    const [format] = KIND[kind];
    return { metric, value: `${format(f('before'))} → ${format(f('after'))}`, goal: '(reference)' };
  };
  saveResult({
    name: 'shipping',
    title: "Shipping the compiler's output",
    command: `npx vite-node bench/shipping.bench.ts -- --before=${revs.before} --after=${revs.after} --cycles=${cyclesRun} --release-runs=${per(relWalls('before', 'stack').length)} --imports=${per(imports.before.length)}`,
    size,
    machine: session.machine,
    loadEnd: from ? session.loadLast : loadavg(),
    durationS: ((from ? session.lastMs : Date.now()) - session.startedMs) / 1000,
    headlines: [
      headline(0, 'import of the plugin, bundles → tsc output'),
      headline(2, 'dry run, stack alone / bare, bundles → tsc output'),
      headline(11, 'full release / baseline A, bundles → tsc output'),
    ],
    markdown,
    raw: { revs, imports, pack, invocations: invocations.map(compact) },
  });
}

runMain(main);
