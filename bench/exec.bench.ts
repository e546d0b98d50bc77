/**
 * Benchmark 7 — what a child process costs through the stack's `exec` on execa, against the plain
 * `node:child_process.spawn` layer it replaced (bench/lib/plain-spawn.mjs). Each variant runs in a
 * fresh node process (bench/lib/exec-cost-child.mjs), alternating, and times every call: wall time,
 * and the parent's CPU time (what the semantic-release process pays; the child's own CPU is the
 * same for both). Also the cold import of each.
 *
 *   npx vite-node bench/exec.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchSize,
  BENCH_DIR,
  describeMachine,
  distLabel,
  loadavg,
  RESULTS_DIR,
  runMain,
  runsArg,
  saveResult,
  stackDist,
} from './lib/env.js';
import { median, ms, table } from './lib/stats.js';

const COMMANDS = [
  { name: '`true` (no output)', file: 'true', args: [] },
  { name: '`git --version` (one line)', file: 'git', args: ['--version'] },
  { name: '`seq 1 100000` (100,000 lines, 589 KB)', file: 'seq', args: ['1', '100000'] },
];
/** The stack's child processes in one release of the example (the traced run of bench/release). */
const CHILDREN_PER_RELEASE = 13;

type Variant = 'spawn' | 'execa';
interface Call {
  wallMs: number;
  cpuMs: number;
}
interface ChildRun {
  variant: Variant;
  imported: Call;
  results: Record<string, Call[]>;
}

function runChild(dist: string, variant: Variant, calls: number): Promise<ChildRun> {
  const script = join(BENCH_DIR, 'lib/exec-cost-child.mjs');
  const args = [script, dist, variant, String(calls), JSON.stringify(COMMANDS)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`exec-cost-child ${variant} exited with ${code}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildRun);
    });
  });
}

/** The median wall time of the stack's releases in bench/results/release.json, if it is there. */
function releaseWallMs(): number | undefined {
  try {
    const release = JSON.parse(readFileSync(join(RESULTS_DIR, 'release.json'), 'utf8')) as {
      raw?: { walls?: { stack?: number[] } };
    };
    const walls = release.raw?.walls?.stack;
    return walls?.length ? median(walls) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const rounds = size === 'smoke' ? 1 : runsArg(6);
  const calls = size === 'smoke' ? 3 : 30;
  const runs: Record<Variant, ChildRun[]> = { spawn: [], execa: [] };
  for (let i = 0; i < rounds; i++) {
    const order: Variant[] = i % 2 === 0 ? ['spawn', 'execa'] : ['execa', 'spawn'];
    for (const variant of order) runs[variant].push(await runChild(dist, variant, calls));
    console.log(`round ${i + 1}/${rounds} done`);
  }

  const all = (variant: Variant, name: string, key: keyof Call) =>
    runs[variant].flatMap((r) => r.results[name]!.map((c) => c[key]));
  const rows = COMMANDS.map(({ name }) => {
    const m = (variant: Variant, key: keyof Call) => median(all(variant, name, key));
    return {
      name,
      wall: { spawn: m('spawn', 'wallMs'), execa: m('execa', 'wallMs') },
      cpu: { spawn: m('spawn', 'cpuMs'), execa: m('execa', 'cpuMs') },
    };
  });
  const imports = (variant: Variant, key: keyof Call) => median(runs[variant].map((r) => r.imported[key]));
  const delta = (a: number, b: number) => `${b - a >= 0 ? '+' : ''}${ms(b - a)}`;
  // A child's cost to the release is the CPU its parent spends on it: the main thread is busy for
  // that long. Wall time adds whatever the scheduler makes of it on a loaded machine.
  const small = rows[1]!;
  const perRelease = {
    cpu: CHILDREN_PER_RELEASE * (small.cpu.execa - small.cpu.spawn),
    wall: CHILDREN_PER_RELEASE * (small.wall.execa - small.wall.spawn),
  };
  const release = releaseWallMs();
  const share = release ? (100 * perRelease.cpu) / release : undefined;

  const markdown = [
    `Measured: ${distLabel(dist)}. ${rounds} round(s), each a fresh node process per variant in alternating order, ${calls} timed calls of each command after 2 untimed ones; medians over all calls. "CPU" is the calling process's user + system time per call (what the semantic-release process pays; the child's own work is the same for both). Both variants log every piece of output through a no-op logger and redact the captured output with the stack's redactor.`,
    '',
    table(
      [
        'command',
        'wall, plain spawn',
        'wall, execa',
        'execa − spawn',
        'CPU, plain spawn',
        'CPU, execa',
        'execa − spawn',
      ],
      rows.map((r) => [
        r.name,
        ms(r.wall.spawn),
        ms(r.wall.execa),
        delta(r.wall.spawn, r.wall.execa),
        ms(r.cpu.spawn),
        ms(r.cpu.execa),
        delta(r.cpu.spawn, r.cpu.execa),
      ]),
    ),
    '',
    `Cold import (a fresh process, nothing loaded): plain spawn ${ms(imports('spawn', 'wallMs'))} wall / ${ms(imports('spawn', 'cpuMs'))} CPU; the stack's exec with execa ${ms(imports('execa', 'wallMs'))} / ${ms(imports('execa', 'cpuMs'))}. Inside semantic-release 24 and 25 this import is free: they load execa 9 themselves, and npm installs one copy for both.`,
    '',
    `**Per release: ${CHILDREN_PER_RELEASE} children × ${delta(small.cpu.spawn, small.cpu.execa)} = ${delta(0, perRelease.cpu)} of CPU on the main thread**${
      release && share !== undefined
        ? `, ${share.toFixed(2)} % of the example's release (median ${ms(release)}, bench/results/release.json)`
        : ''
    }; in wall time ${CHILDREN_PER_RELEASE} × ${delta(small.wall.spawn, small.wall.execa)} = ${delta(0, perRelease.wall)} at this load.`,
  ].join('\n');
  saveResult({
    name: 'exec',
    title: 'Child processes: execa against plain spawn',
    command: `npx vite-node bench/exec.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: 'execa − plain spawn, CPU per child (`git --version`)',
        value: delta(small.cpu.spawn, small.cpu.execa),
        goal: '≤ 1 % of a release',
        met: share === undefined ? undefined : share <= 1,
      },
    ],
    markdown,
    // Per round and variant: the import and each command's medians (every call would be ~4,000 lines).
    raw: {
      rounds,
      calls,
      perRound: runs.spawn.map((_, i) =>
        Object.fromEntries(
          (['spawn', 'execa'] as const).map((variant) => {
            const run = runs[variant][i]!;
            const commands = Object.fromEntries(
              Object.entries(run.results).map(([name, list]) => [
                name,
                { wallMs: median(list.map((c) => c.wallMs)), cpuMs: median(list.map((c) => c.cpuMs)) },
              ]),
            );
            return [variant, { imported: run.imported, commands }];
          }),
        ),
      ),
    },
  });
}

runMain(main);
