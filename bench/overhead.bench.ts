/**
 * Benchmark 3 — the stack's own overhead in a full release: CPU time in its code (node --cpu-prof
 * on the semantic-release process, samples with a frame in the stack's dist/) against the time of
 * the child processes it runs (tool shims), plus the cost of importing the plugin.
 *
 *   npx vite-node bench/overhead.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree] [--keep=DIR]
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  benchSize,
  describeMachine,
  distLabel,
  loadavg,
  runMain,
  runsArg,
  saveResult,
  stackDist,
} from './lib/env.js';
import { summarizeProfile, type ProfileSummary } from './lib/cpuprofile.js';
import { importMs } from './lib/import-time.js';
import { assertOk, cleanupRun, prepareRun, runRelease, startServices } from './lib/release.js';
import { topLevel } from './lib/report.js';
import { median, ms, pct, table } from './lib/stats.js';
import { coveredWithin } from './lib/trace.js';

interface One {
  wallMs: number;
  stackStepsMs: number;
  /** Union of the child processes' intervals inside the stack's steps. */
  toolsMs: number;
  /** Sum of the child processes' wall times inside the stack's steps (concurrent ones each count). */
  toolsSumMs: number;
  /** Child processes the stack started in its steps. */
  children: number;
  /** process.cpuUsage() of the semantic-release process over the stack's steps (all threads). */
  cpuInStepsMs: number;
  profile: ProfileSummary;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const runs = size === 'smoke' ? 1 : runsArg(3);
  // --keep=DIR keeps each run's CPU profile (open it in Chrome's DevTools, Performance tab).
  const keepDir = process.argv.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
  const services = await startServices();
  const results: One[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const setup = await prepareRun(services);
      try {
        const run = await runRelease(setup, {
          variant: 'stack',
          services,
          trace: { dir: join(setup.repo.root, 'trace'), cpuProfile: true },
        });
        assertOk(run, 'stack release');
        if (!run.cpuProfile) throw new Error('node wrote no CPU profile');
        if (keepDir) {
          mkdirSync(keepDir, { recursive: true });
          copyFileSync(run.cpuProfile, join(keepDir, `release-${i + 1}.cpuprofile`));
        }
        const steps = run.steps.filter((s) => s.plugin === 'semantic-release-stack');
        const tools = topLevel(run.tools).filter((t) =>
          steps.some((s) => t.start >= s.start && t.start <= s.end),
        );
        const profile = summarizeProfile(run.cpuProfile, dist, run.steps);
        if (profile.stepsInsideProfile < 0.99) {
          throw new Error(`CPU profile and step clocks disagree (${profile.stepsInsideProfile})`);
        }
        results.push({
          wallMs: run.wallMs,
          stackStepsMs: steps.reduce((a, s) => a + (s.end - s.start), 0),
          toolsMs: steps.reduce((a, s) => a + coveredWithin(tools, s.start, s.end), 0),
          toolsSumMs: tools.reduce((a, t) => a + (t.end - t.start), 0),
          children: tools.length,
          cpuInStepsMs: steps.reduce((a, s) => a + s.cpuMs, 0),
          profile,
        });
        console.log(
          `run ${i + 1}/${runs}: wall ${ms(run.wallMs)}, stack CPU ${ms(profile.stackInclusiveMs)}, tools ${ms(
            results.at(-1)!.toolsMs,
          )}`,
        );
      } finally {
        await cleanupRun(setup, services);
      }
    }
  } finally {
    await services.stop();
  }

  const imports = { stack: [] as number[], empty: [] as number[] };
  for (let i = 0; i < (size === 'smoke' ? 1 : 5); i++) {
    imports.stack.push(importMs(pathToFileURL(join(dist, 'index.js')).href));
    imports.empty.push(importMs(undefined));
  }
  const importCost = median(imports.stack) - median(imports.empty);

  const med = (f: (o: One) => number) => median(results.map(f));
  const inSteps = med((o) => o.profile.stackInclusiveMs - o.profile.stackOutsideStepsMs);
  const tools = med((o) => o.toolsMs);
  const overhead = inSteps / tools;
  const spawnMs = med((o) => o.profile.spawnInStepsMs);
  // The run whose overhead is the median one gives the detail tables.
  const sorted = [...results].sort((a, b) => a.profile.stackInclusiveMs - b.profile.stackInclusiveMs);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  const steps = ['verifyConditions', 'verifyRelease', 'prepare', 'publish', 'success'];
  const markdown = [
    `Measured: ${distLabel(dist)}. ${runs} full releases of the example with the stack, each with \`node --cpu-prof --cpu-prof-interval 500\` on the semantic-release process, the step wrappers and the tool shims (see bench/README.md). Medians over the runs.`,
    '',
    table(
      ['', 'median'],
      [
        ['release wall (traced, profiled)', ms(med((o) => o.wallMs))],
        ["wall time of the stack's steps", ms(med((o) => o.stackStepsMs))],
        ["child processes during the stack's steps (union of their intervals)", ms(tools)],
        [
          'child processes during its steps (sum, concurrent ones each counted)',
          ms(med((o) => o.toolsSumMs)),
        ],
        ["**CPU in the stack's code during its steps** (samples with a frame in dist/)", ms(inSteps)],
        ['… of which innermost frame in dist/ itself', ms(med((o) => o.profile.stackSelfMs))],
        [
          `… of which in Node's \`spawn()\` of its ${med((o) => o.children)} child processes (the kernel forking the semantic-release process)`,
          ms(spawnMs),
        ],
        [
          "CPU in the stack's code outside its steps (module evaluation at load)",
          ms(med((o) => o.profile.stackOutsideStepsMs)),
        ],
        [
          "all busy CPU of the process during the stack's steps (incl. execa, streams, GC, logging)",
          ms(med((o) => o.profile.busyInStackStepsMs)),
        ],
        [
          `import of dist/index.js after semantic-release and the preset's other plugins are loaded (fresh node, median of ${imports.stack.length})`,
          ms(importCost),
        ],
      ],
    ),
    '',
    `**Overhead = stack CPU in its steps / child-process time = ${pct(inSteps, tools)}** (goal ≤ 5 %). ` +
      `With the import of the plugin counted too: ${pct(inSteps + importCost, tools)}. ` +
      `Without the forks of its child processes: ${pct(inSteps - spawnMs, tools)}. ` +
      `Measured as true CPU time instead (process.cpuUsage() over the stack's steps, every thread, so also execa, logging, GC and the in-process gzip that replaces tar/gzip): ${pct(
        med((o) => o.cpuInStepsMs),
        tools,
      )}. ` +
      'Profile samples count wall time of the main thread while it is runnable, so on a loaded machine they over-state; cpuUsage does not.',
    '',
    `Per step (median run): ${steps.map((s) => `${s} ${ms(mid.profile.stackByStep[s] ?? 0)}`).join(', ')}.`,
    '',
    "Where the stack's CPU ends up (innermost frame's package, median run):",
    '',
    table(
      ['package', 'CPU'],
      mid.profile.stackByLeafPackage.slice(0, 10).map((p) => [p.name, ms(p.ms)]),
    ),
    '',
    'Hottest functions in dist/ (median run):',
    '',
    table(
      ['function (self time)', 'CPU', 'function (inclusive)', 'CPU'],
      mid.profile.topSelf.slice(0, 10).map((f, i) => {
        const inc = mid.profile.topInclusive[i];
        return [`\`${f.fn}\``, ms(f.ms), inc ? `\`${inc.fn}\`` : '', inc ? ms(inc.ms) : ''];
      }),
    ),
    '',
    "Source modules of the bundle by inclusive CPU inside the stack's steps (median run; a sample counts once for every module on its stack, so the rows overlap):",
    '',
    table(
      ['module', 'CPU'],
      mid.profile.topModules.slice(0, 16).map((m) => [`\`${m.fn}\``, ms(m.ms)]),
    ),
  ].join('\n');
  saveResult({
    name: 'overhead',
    title: 'Plugin overhead in a full release',
    command: `npx vite-node bench/overhead.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: "stack's own CPU / child-process time, full release",
        value: pct(inSteps, tools),
        goal: '≤ 5 %',
        met: overhead <= 0.05,
      },
      {
        metric: "process CPU during the stack's steps / child-process time",
        value: pct(
          med((o) => o.cpuInStepsMs),
          tools,
        ),
        goal: '(reference)',
      },
      {
        metric: "… without Node's spawn() of the child processes",
        value: pct(inSteps - spawnMs, tools),
        goal: '(reference)',
      },
      {
        metric: '… counting the import of the plugin too',
        value: pct(inSteps + importCost, tools),
        goal: '(reference)',
      },
    ],
    markdown,
    raw: { results, imports },
  });
}

runMain(main);
