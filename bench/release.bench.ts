/**
 * Benchmark 1 — a full release: the seed's procedure as exec commands (baseline A) against
 * semantic-release-stack, same semantic-release, same other plugins (the preset's), same fixture
 * (examples/python-service), same local dockerd, docker-registry and GitHub stand-in.
 *
 *   npx vite-node bench/release.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree] [--docs=20mb]
 *                                           [--builder=legacy|buildkit]
 *
 * `--docs=20mb` (or 200mb) replaces the example's three-page docs/ with a generated tree (tree.ts),
 * where building the docs archive concurrently with the wheel can matter; its results are saved
 * apart (bench/results/release-docs-20mb.json).
 *
 * `--builder=buildkit` builds the images of both sides with BuildKit (Debian's docker 20.10 CLI with
 * DOCKER_BUILDKIT=1, same daemon), as GitHub's runners do, instead of the legacy builder that the
 * docker CLI on PATH falls back to without buildx; results saved apart (release-buildkit.json).
 *
 * Rounds of three variants in rotating order: baseline A, the stack, and the stack with GitHub
 * attaching only baseline A's two archives (the preset attaches five assets, and each upload is a
 * write the GitHub client spaces out), so the stack's own speed shows apart from the upload count.
 * Each run on a fresh clone-like repository and its own image repository; wall time is the
 * semantic-release process's. Then one traced run of baseline A and of the stack (step wrappers +
 * tool shims) says where the time goes.
 */
import { listTags } from '../test/helpers/registry.js';
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
  REGISTRY_AUTH,
  runRelease,
  startServices,
  type Services,
  type SrRun,
  type Variant,
} from './lib/release.js';
import { breakdown, breakdownMarkdown, type Breakdown } from './lib/report.js';
import { median, ms, ratio, spread, table } from './lib/stats.js';
import { ensureTree, type TreeSpec } from './lib/tree.js';

type V = Extract<Variant, 'baseline' | 'stack' | 'stack-baseline-assets'>;
const VARIANTS: V[] = ['baseline', 'stack', 'stack-baseline-assets'];
const LABEL: Record<V, string> = {
  baseline: 'baseline A (seed procedure as exec commands)',
  stack: 'semantic-release-stack (the preset: 5 GitHub assets)',
  'stack-baseline-assets': 'semantic-release-stack with baseline A’s 2 GitHub assets',
};

const DOCS_TREES: Record<string, TreeSpec> = {
  '20mb': { name: '20mb', bytes: 20e6, files: 2_000 },
  '200mb': { name: '200mb', bytes: 200e6, files: 20_000 },
};
const docsArg = process.argv.find((a) => a.startsWith('--docs='))?.slice('--docs='.length);
if (docsArg && !DOCS_TREES[docsArg])
  throw new Error(`--docs=${docsArg}: use ${Object.keys(DOCS_TREES).join(' or ')}`);
const docsTree = docsArg ? ensureTree(DOCS_TREES[docsArg]!) : undefined;
const builderArg =
  process.argv.find((a) => a.startsWith('--builder='))?.slice('--builder='.length) ?? 'legacy';
if (builderArg !== 'legacy' && builderArg !== 'buildkit')
  throw new Error(`--builder=${builderArg}: use legacy or buildkit`);
const buildkit = builderArg === 'buildkit';
/** What this run's results are saved as, and the command that repeats it. */
const resultName = ['release', docsArg && `docs-${docsArg}`, buildkit && 'buildkit']
  .filter(Boolean)
  .join('-');
const headlineSuffix = `${docsArg ? `, ${docsArg} docs` : ''}${buildkit ? ', BuildKit' : ''}`;
const extraArgs = `${docsArg ? ` --docs=${docsArg}` : ''}${buildkit ? ' --builder=buildkit' : ''}`;

async function release(services: Services, variant: V, trace: boolean): Promise<SrRun> {
  const setup = await prepareRun(services, undefined, docsTree);
  try {
    const run = await runRelease(setup, {
      variant,
      services,
      buildkit,
      ...(trace ? { trace: { dir: `${setup.repo.root}/trace` } } : {}),
    });
    assertOk(run, `${variant} release`);
    if (!/Published release 1\.0\.0/.test(run.output))
      throw new Error(`${variant}: no release 1.0.0\n${run.output}`);
    const repo = setup.image.slice(services.registry.host.length + 1);
    const tags = await listTags(services.registry, repo, REGISTRY_AUTH);
    if (!tags.includes('1.0.0')) throw new Error(`${variant}: image ${setup.image}:1.0.0 was not pushed`);
    const head = await setup.repo.git(['log', '-1', '--format=%s', 'origin/main']);
    await setup.repo.git(['fetch', '--quiet', 'origin']);
    const pushed = await setup.repo.git(['log', '-1', '--format=%s', 'origin/main']);
    if (!/^chore\(release\): 1\.1\.0\.dev0/.test(pushed))
      throw new Error(
        `${variant}: dev version commit missing (origin/main: ${pushed}; before fetch ${head})`,
      );
    console.log(`  ${variant.padEnd(21)} ${ms(run.wallMs)}${trace ? ' (traced)' : ''}`);
    return run;
  } finally {
    await cleanupRun(setup, services);
  }
}

function comparison(b: Breakdown, s: Breakdown): string {
  const key = (x: { step: string; plugin: string }) =>
    `${x.step} · ${x.plugin === 'exec-baseline' || x.plugin === 'semantic-release-stack' ? 'exec-baseline / stack' : x.plugin}`;
  const rows = new Map<string, [number, number]>();
  for (const x of b.steps)
    rows.set(key(x), [(rows.get(key(x))?.[0] ?? 0) + x.ms, rows.get(key(x))?.[1] ?? 0]);
  for (const x of s.steps)
    rows.set(key(x), [rows.get(key(x))?.[0] ?? 0, (rows.get(key(x))?.[1] ?? 0) + x.ms]);
  const body = [...rows.entries()]
    .filter(([, [x, y]]) => x >= 1 || y >= 1)
    .map(([k, [x, y]]) => [k, ms(x), ms(y), ms(y - x)]);
  body.unshift([
    'outside plugin steps (semantic-release)',
    ms(b.coreMs),
    ms(s.coreMs),
    ms(s.coreMs - b.coreMs),
  ]);
  body.push(['**total wall**', ms(b.wallMs), ms(s.wallMs), ms(s.wallMs - b.wallMs)]);
  return table(['where (traced runs)', 'baseline A', 'stack', 'stack − baseline'], body);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const pairs = size === 'smoke' ? 0 : runsArg(5);
  const services = await startServices();
  const walls: Record<V, number[]> = { baseline: [], stack: [], 'stack-baseline-assets': [] };
  const pairRatios: number[] = [];
  const assetsRatios: number[] = [];
  let traced: Record<'baseline' | 'stack', SrRun>;
  try {
    if (size !== 'smoke') {
      console.log('warm-up (not counted)');
      for (const v of VARIANTS) await release(services, v, false);
    }
    for (let i = 0; i < pairs; i++) {
      console.log(`round ${i + 1}/${pairs}`);
      // Rotate the order each round so no variant always runs first.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]!);
      const round = {} as Record<V, number>;
      for (const v of order) round[v] = (await release(services, v, false)).wallMs;
      for (const v of VARIANTS) walls[v].push(round[v]);
      pairRatios.push(round.stack / round.baseline);
      assetsRatios.push(round['stack-baseline-assets'] / round.baseline);
    }
    console.log('traced runs');
    traced = {
      baseline: await release(services, 'baseline', true),
      stack: await release(services, 'stack', true),
    };
  } finally {
    await services.stop();
  }
  if (pairs === 0) {
    walls.baseline.push(traced.baseline.wallMs);
    walls.stack.push(traced.stack.wallMs);
  }
  const r = median(walls.stack) / median(walls.baseline);
  const rAssets = median(walls['stack-baseline-assets']) / median(walls.baseline);
  const b = breakdown(traced.baseline);
  const s = breakdown(traced.stack);
  const markdown = [
    `Measured: ${distLabel(dist)}. ${pairs} rounds of the three variants in rotating order after one warm-up round${
      pairs === 0 ? ' (smoke: the traced pair only)' : ''
    }; fixture \`examples/python-service\`${
      docsArg
        ? ` with its docs/ replaced by the generated ${docsArg} tree (${DOCS_TREES[docsArg]!.files} files)`
        : ''
    }; dockerd (${
      buildkit ? "BuildKit, through Debian's docker 20.10 CLI with DOCKER_BUILDKIT=1" : 'legacy builder'
    }, vfs), a docker-registry with htpasswd auth and the GitHub API stand-in, all on loopback.`,
    '',
    table(
      ['variant', 'runs', 'median wall', 'min–max', '/ baseline A'],
      VARIANTS.filter((v) => walls[v].length).map((v) => [
        LABEL[v],
        walls[v].length,
        ms(median(walls[v])),
        spread(walls[v]),
        ratio(median(walls[v]) / median(walls.baseline)),
      ]),
    ),
    '',
    `**stack / baseline = ${ratio(r)}** (median of each; goal ≤ 0.80×). Ratio in each round: ${
      pairRatios.map((x) => x.toFixed(2)).join(', ') || 'n/a'
    }. **With baseline A's two GitHub assets: ${ratio(rAssets)}** (each round: ${
      assetsRatios.map((x) => x.toFixed(2)).join(', ') || 'n/a'
    }).`,
    '',
    '### Where the time goes (one traced run each)',
    '',
    comparison(b, s),
    '',
    breakdownMarkdown(b, 'baseline A'),
    '',
    breakdownMarkdown(s, 'semantic-release-stack'),
  ].join('\n');
  saveResult({
    name: resultName,
    title: `Full release against baseline A${docsArg ? `, ${docsArg} docs tree` : ''}${buildkit ? ', BuildKit' : ''}`,
    command: `npx vite-node bench/release.bench.ts -- --size=${size}${extraArgs}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: `full release, stack / exec baseline (median wall)${headlineSuffix}`,
        value: ratio(r),
        goal: '≤ 0.80×',
        met: r <= 0.8,
      },
      ...(pairs > 0
        ? [
            {
              metric: `full release, stack with baseline A's 2 GitHub assets / exec baseline${headlineSuffix}`,
              value: ratio(rAssets),
              goal: '≤ 0.80×',
              met: rAssets <= 0.8,
            },
          ]
        : []),
    ],
    markdown,
    raw: { walls, pairRatios, assetsRatios, traced: { baseline: b, stack: s } },
  });
}

runMain(main);
