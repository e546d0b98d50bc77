/**
 * Benchmark 2 — `semantic-release --dry-run`: bare (no plugins: baseline B) against the stack's full
 * configuration (the preset's plugins with the composite), with the preset's plugins minus the
 * composite in between, so the stack's own share is visible, and the composite as the only plugin
 * (what the goal literally compares). One repository, alternating rounds.
 *
 *   npx vite-node bench/dry-run.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree]
 */
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
import {
  assertOk,
  cleanupRun,
  prepareRun,
  runRelease,
  startServices,
  type Services,
  type SrRun,
  type Variant,
} from './lib/release.js';
import { breakdown, breakdownMarkdown } from './lib/report.js';
import { median, ms, ratio, spread, table } from './lib/stats.js';

const VARIANTS: Variant[] = ['bare', 'stack-alone', 'preset-without-stack', 'stack'];
const LABEL: Record<string, string> = {
  bare: 'bare semantic-release, no plugins (baseline B)',
  'stack-alone': 'semantic-release-stack as the only plugin',
  'preset-without-stack': 'the preset’s other plugins, no stack',
  stack: 'the preset with semantic-release-stack',
};
const PRINTS_PLAN = new Set<Variant>(['stack', 'stack-alone']);

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const rounds = size === 'smoke' ? 1 : runsArg(7);
  const services: Services = await startServices();
  const setup = await prepareRun(services);
  const walls: Record<string, number[]> = {};
  let traced: SrRun;
  try {
    const once = async (variant: Variant, trace = false) => {
      const run = await runRelease(setup, {
        variant,
        services,
        dryRun: true,
        ...(trace ? { trace: { dir: `${setup.repo.root}/trace-${Date.now()}` } } : {}),
      });
      assertOk(run, `${variant} dry run`);
      if (PRINTS_PLAN.has(variant) && !/dry run, nothing will be written/.test(run.output))
        throw new Error(`the stack printed no plan:\n${run.output}`);
      return run;
    };
    if (size !== 'smoke') for (const v of VARIANTS) await once(v); // warm-up
    for (let i = 0; i < rounds; i++) {
      // Rotate the order each round so no variant always runs first.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]!);
      const line: string[] = [];
      for (const v of order) {
        const run = await once(v);
        (walls[v] ??= []).push(run.wallMs);
        line.push(`${v} ${ms(run.wallMs)}`);
      }
      console.log(`round ${i + 1}/${rounds}: ${line.join(', ')}`);
    }
    traced = await once('stack', true);
  } finally {
    await cleanupRun(setup);
    await services.stop();
  }
  const med = (v: string) => median(walls[v] ?? []);
  const r = med('stack') / med('bare');
  const rOthers = med('preset-without-stack') / med('bare');
  const rAlone = med('stack-alone') / med('bare');
  const ours = med('stack') - med('preset-without-stack');
  const b = breakdown(traced);
  const stackSteps = b.steps.filter((s) => s.plugin === 'semantic-release-stack');
  const markdown = [
    `Measured: ${distLabel(dist)}. ${rounds} rounds of the ${VARIANTS.length} variants in rotating order after a warm-up round, on one repository (the example with one \`feat:\` commit, next release 1.0.0), same local services as the release benchmark.`,
    '',
    table(
      ['variant', 'runs', 'median wall', 'min–max', '/ bare'],
      VARIANTS.map((v) => [
        LABEL[v]!,
        walls[v]?.length ?? 0,
        ms(med(v)),
        spread(walls[v] ?? []),
        ratio(med(v) / med('bare')),
      ]),
    ),
    '',
    `**stack dry run / bare dry run = ${ratio(r)}** (goal ≤ 1.20×). The preset's other plugins alone are ${ratio(
      rOthers,
    )}; the stack adds ${ms(ours)} to them (median difference). **The stack as the only plugin / bare = ${ratio(
      rAlone,
    )}** (semantic-release adds its default commit analyzer to both).`,
    '',
    `In the traced stack dry run, the stack's steps took ${stackSteps
      .map((s) => `${s.step} ${ms(s.ms)} (child processes ${ms(s.toolsMs)}: ${s.tools || 'none'})`)
      .join('; ')}.`,
    '',
    breakdownMarkdown(b, 'stack dry run, traced'),
  ].join('\n');
  saveResult({
    name: 'dry-run',
    title: 'Dry run against bare semantic-release',
    command: `npx vite-node bench/dry-run.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: 'dry run, stack (preset) / bare semantic-release',
        value: ratio(r),
        goal: '≤ 1.20×',
        met: r <= 1.2,
      },
      {
        metric: 'dry run, the stack as the only plugin / bare',
        value: ratio(rAlone),
        goal: '≤ 1.20×',
        met: rAlone <= 1.2,
      },
      { metric: 'dry run, preset without the stack / bare', value: ratio(rOthers), goal: '(reference)' },
      { metric: 'dry run, time the stack adds to the preset', value: ms(ours), goal: '(reference)' },
    ],
    markdown,
    raw: { walls, traced: b },
  });
}

runMain(main);
