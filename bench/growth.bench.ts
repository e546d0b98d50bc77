/**
 * Benchmark 6 — dry-run time against history length: the example on top of 1,000 and 10,000
 * generated commits (git fast-import), bare semantic-release against the stack's configuration, in
 * two shapes of history: nothing released yet (every commit is analysed and goes into the notes)
 * and a tag 5 commits back (the usual case: history is long, the release is small). A traced stack
 * run per point splits the time into semantic-release's part, the other plugins' and ours.
 *
 *   npx vite-node bench/growth.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree]
 */
import { execFileSync } from 'node:child_process';
import { TEST_AUTHOR } from '../test/helpers/git.js';
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
  type ReleaseSetup,
  type Services,
  type Variant,
} from './lib/release.js';
import { breakdown } from './lib/report.js';
import { median, ms, ratio, table } from './lib/stats.js';

type Shape = 'unreleased' | 'tagged';

/** Appends `count` commits to main with git fast-import (seconds for 10k), optionally a tag 5 back. */
async function addHistory(setup: ReleaseSetup, count: number, shape: Shape): Promise<void> {
  const { repo } = setup;
  const head = await repo.git(['rev-parse', 'HEAD']);
  const who = `${TEST_AUTHOR.name} <${TEST_AUTHOR.email}>`;
  const start = Math.floor(Date.now() / 1000) - count - 60;
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const kind = i % 10 === 0 ? `feat(part${i % 7})` : i % 10 < 3 ? 'fix' : i % 2 ? 'chore' : 'docs';
    const message = `${kind}: generated change number ${i}\n\nBody of change ${i}.\n`;
    const content = `change ${i}\n`;
    parts.push(
      `commit refs/heads/main\nmark :${i}\nauthor ${who} ${start + i} +0000\ncommitter ${who} ${start + i} +0000\n` +
        `data ${Buffer.byteLength(message)}\n${message}${i === 1 ? `from ${head}\n` : ''}` +
        `M 100644 inline history/${i % 100}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
  }
  if (shape === 'tagged') parts.push(`reset refs/tags/v0.1.0\nfrom :${count - 5}\n\n`);
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    input: parts.join(''),
    env: repo.gitEnv(),
    maxBuffer: 64 * 2 ** 20,
  });
  await repo.git(['reset', '--quiet', '--hard', 'main']);
  await repo.git([
    'push',
    '--quiet',
    '--follow-tags',
    'origin',
    'main',
    ...(shape === 'tagged' ? ['v0.1.0'] : []),
  ]);
}

interface Point {
  commits: number;
  shape: Shape;
  walls: Record<'bare' | 'stack', number[]>;
  split: { total: number; ours: number; others: number; core: number; oursSteps: string };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const rounds = size === 'smoke' ? 1 : runsArg(3);
  const sizes = size === 'smoke' ? [200] : [1_000, 10_000];
  const services: Services = await startServices();
  const points: Point[] = [];
  try {
    for (const shape of ['unreleased', 'tagged'] as Shape[]) {
      for (const commits of sizes) {
        const setup = await prepareRun(services);
        try {
          const g = performance.now();
          await addHistory(setup, commits, shape);
          console.log(`${shape}, ${commits} commits: history ready (${ms(performance.now() - g)})`);
          const once = async (variant: Variant, trace = false) => {
            const run = await runRelease(setup, {
              variant,
              services,
              dryRun: true,
              ...(trace ? { trace: { dir: `${setup.repo.root}/trace-${Date.now()}` } } : {}),
            });
            assertOk(run, `${variant} dry run over ${commits} commits`);
            return run;
          };
          await once('stack'); // warm-up
          const walls: Point['walls'] = { bare: [], stack: [] };
          for (let i = 0; i < rounds; i++) {
            for (const v of i % 2 === 0 ? (['bare', 'stack'] as const) : (['stack', 'bare'] as const)) {
              walls[v].push((await once(v)).wallMs);
            }
          }
          const b = breakdown(await once('stack', true));
          const ours = b.steps.filter((s) => s.plugin === 'semantic-release-stack');
          const oursMs = ours.reduce((a, s) => a + s.ms, 0);
          const othersMs = b.steps
            .filter((s) => s.plugin !== 'semantic-release-stack')
            .reduce((a, s) => a + s.ms, 0);
          points.push({
            commits,
            shape,
            walls,
            split: {
              total: b.wallMs,
              ours: oursMs,
              others: othersMs,
              core: b.coreMs,
              oursSteps: ours.map((s) => `${s.step} ${ms(s.ms)}`).join(', '),
            },
          });
          console.log(
            `  bare ${ms(median(walls.bare))}, stack ${ms(median(walls.stack))}, ours ${ms(oursMs)}`,
          );
        } finally {
          await cleanupRun(setup);
        }
      }
    }
  } finally {
    await services.stop();
  }
  const rows = points.map((p) => [
    p.shape === 'unreleased' ? 'nothing released yet' : 'tag 5 commits back',
    p.commits.toLocaleString('en'),
    ms(median(p.walls.bare)),
    ms(median(p.walls.stack)),
    ratio(median(p.walls.stack) / median(p.walls.bare)),
    ms(p.split.core),
    ms(p.split.others),
    `${ms(p.split.ours)} (${p.split.oursSteps})`,
  ]);
  const markdown = [
    `Measured: ${distLabel(dist)}. The example repository with N generated commits on top (10 % \`feat\`, 20 % \`fix\`, the rest \`chore\`/\`docs\`), ${rounds} alternating rounds of bare and stack dry runs after a warm-up, then one traced stack dry run for the split (its own wall, so the split columns add up to that run's wall, not to the median).`,
    '',
    table(
      [
        'history',
        'commits',
        'bare dry run (median)',
        'stack dry run (median)',
        'stack / bare',
        'semantic-release outside plugin steps (traced)',
        "other plugins' steps (traced)",
        'the stack’s steps (traced)',
      ],
      rows,
    ),
  ].join('\n');
  saveResult({
    name: 'growth',
    title: 'Dry run against history length',
    command: `npx vite-node bench/growth.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: `the stack's steps in a dry run, ${sizes.map((s) => s.toLocaleString('en')).join(' / ')} commits`,
        value: points
          .map((p) => `${p.shape} ${p.commits.toLocaleString('en')}: ${ms(p.split.ours)}`)
          .join('; '),
        goal: 'flat in history length',
      },
    ],
    markdown,
    raw: points,
  });
}

runMain(main);
