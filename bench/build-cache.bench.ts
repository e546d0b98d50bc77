/**
 * Benchmark 10 — `docker.cache`: the image part of a second release (prepare: build; publish: push)
 * on a fresh CI runner, i.e. a dockerd with an empty store, with the registry build cache and without
 * it (the baseline). The fixture's Dockerfile has an expensive `RUN` step (busybox sh busy for N
 * seconds, then writing M MB of dependencies, as a `pip install` would) followed by a `COPY` of the
 * code that changes every release. The first release (1.0.0, cache on) is pushed once; then each
 * pair releases two more versions from it, one with the cache and one without, each on a dockerd of
 * its own started (untimed) with an empty store, in alternating order (ABBA). The legacy builder:
 * BuildKit gives a `RUN` step a bridge network, which the daemons here do not have.
 *
 *   npx vite-node bench/build-cache.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree]
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { srContext, recordingLogger } from '../test/helpers/contexts.js';
import { startPrivateDockerd, type PrivateDockerd } from '../test/helpers/docker.js';
import { createRepo, type TestRepo } from '../test/helpers/git.js';
import { startRegistry, type Registry } from '../test/helpers/registry.js';
import { INSTALL_HINTS, requireTool } from '../test/helpers/tools.js';
import type { ReleaseContext } from '../src/kind.js';
import type { createDockerKind } from '../src/kinds/docker/index.js';
import type { releaseContext } from '../src/core/context.js';
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
import { median, ms, ratio, spread, table } from './lib/stats.js';

type Variant = 'cache' | 'baseline';
interface Timing {
  variant: Variant;
  version: string;
  buildMs: number;
  pushMs: number;
  totalMs: number;
  load: string;
}

const USER = 'bench-bot';
const PASSWORD = `B3nch-${Math.random().toString(36).slice(2)}`;

function dockerfile(seconds: number, megabytes: number): string {
  const busy = [
    `end=$(( $(/bin/busybox date +%s) + ${seconds} )); i=0`,
    'while [ $(/bin/busybox date +%s) -lt $end ]; do i=$((i+1)); done',
    'echo $i > /iterations',
    `/bin/busybox head -c ${megabytes}m /dev/urandom > /dependencies.bin`,
  ].join('; ');
  return [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    `RUN ["/bin/busybox", "sh", "-c", ${JSON.stringify(busy)}]`,
    'COPY app/ /app/',
    '',
  ].join('\n');
}

interface Kit {
  repo: TestRepo;
  registry: Registry;
  kind: ReturnType<typeof createDockerKind>;
  context: typeof releaseContext;
}

/** One release of the image on `runner`; the code's file changes with every version. */
async function releaseImage(kit: Kit, runner: PrivateDockerd, version: string, cache: boolean) {
  writeFileSync(join(kit.repo.dir, 'docker/app/release.txt'), `${version}\n`);
  const logger = recordingLogger();
  const sr = srContext({
    root: kit.repo.dir,
    version,
    logger,
    lastRelease: version === '1.0.0' ? undefined : { version: '1.0.0', gitTag: 'v1.0.0' },
    env: {
      DOCKER_HOST: runner.host,
      DOCKER_REGISTRY_USER: USER,
      DOCKER_REGISTRY_PASSWORD: PASSWORD,
    },
  });
  const ctx: ReleaseContext = kit.context(sr, {});
  const resolved = kit.kind.resolveConfig(
    { image: `${kit.registry.host}/bench/app`, wheelsDir: false, cache },
    ctx,
  );
  if (!resolved.config) throw new Error(`docker options: ${resolved.errors.map(String).join('; ')}`);
  const manifest = { schema: 1, version, gitTag: `v${version}`, gitHead: 'HEAD', fields: [], artifacts: [] };
  const t0 = performance.now();
  await kit.kind.prepare!(resolved.config, ctx, manifest as never);
  const t1 = performance.now();
  await kit.kind.publish!(resolved.config, ctx, manifest as never);
  const t2 = performance.now();
  return { buildMs: t1 - t0, pushMs: t2 - t1, totalMs: t2 - t0, log: logger.text() };
}

/** A fresh runner for one release: started and removed outside the timing. */
async function onFreshRunner<T>(work: (runner: PrivateDockerd) => Promise<T>): Promise<T> {
  const runner = await startPrivateDockerd();
  try {
    return await work(runner);
  } finally {
    await runner.stop();
  }
}

const RUN_FROM_CACHE = /Step 3\/\d+ : RUN .*\n.* ---> Using cache/;

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const pairs = size === 'smoke' ? 1 : runsArg(4);
  const seconds = size === 'smoke' ? 1 : 20;
  const megabytes = size === 'smoke' ? 1 : 30;
  const busybox = await requireTool('/usr/bin/busybox', INSTALL_HINTS.busybox);
  const registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  const repo = await createRepo({ files: { 'docker/Dockerfile': dockerfile(seconds, megabytes) } });
  try {
    copyFileSync(busybox, join(repo.dir, 'docker/busybox'));
    chmodSync(join(repo.dir, 'docker/busybox'), 0o755);
    mkdirSync(join(repo.dir, 'docker/app'), { recursive: true });
    const { createDockerKind } = (await import(join(dist, 'kinds/docker/index.js'))) as {
      createDockerKind: typeof import('../src/kinds/docker/index.js').createDockerKind;
    };
    const { releaseContext } = (await import(join(dist, 'core/context.js'))) as {
      releaseContext: typeof import('../src/core/context.js').releaseContext;
    };
    const kit: Kit = { repo, registry, kind: createDockerKind(), context: releaseContext };

    const first = await onFreshRunner((runner) => releaseImage(kit, runner, '1.0.0', true));
    console.log(`1.0.0 released (cache source): ${ms(first.totalMs)}`);
    const timings: Timing[] = [];
    let patch = 0;
    for (let i = 0; i < pairs; i++) {
      const order: Variant[] = i % 2 === 0 ? ['baseline', 'cache'] : ['cache', 'baseline'];
      for (const variant of order) {
        const version = `1.1.${patch++}`;
        const load = loadavg();
        const run = await onFreshRunner((runner) => releaseImage(kit, runner, version, variant === 'cache'));
        // The cache must have been used (and the baseline must have run the step): else the pair lies.
        if (RUN_FROM_CACHE.test(run.log) !== (variant === 'cache'))
          throw new Error(
            `${variant} ${version}: the RUN step ${variant === 'cache' ? 'ran' : 'was cached'}:\n${run.log}`,
          );
        timings.push({
          variant,
          version,
          buildMs: run.buildMs,
          pushMs: run.pushMs,
          totalMs: run.totalMs,
          load,
        });
        console.log(`pair ${i + 1}/${pairs} ${variant} ${version}: ${ms(run.totalMs)} (load ${load})`);
      }
    }

    const of = (variant: Variant, key: 'buildMs' | 'pushMs' | 'totalMs') =>
      timings.filter((t) => t.variant === variant).map((t) => t[key]);
    const m = (variant: Variant, key: 'buildMs' | 'pushMs' | 'totalMs') => median(of(variant, key));
    const total = m('cache', 'totalMs') / m('baseline', 'totalMs');
    const row = (label: string, key: 'buildMs' | 'pushMs' | 'totalMs') => [
      label,
      ms(m('baseline', key)),
      spread(of('baseline', key)),
      ms(m('cache', key)),
      spread(of('cache', key)),
      ratio(m('cache', key) / m('baseline', key)),
    ];
    const markdown = [
      `Measured: ${distLabel(dist)}, the docker kind's prepare and publish called in this process (the legacy builder; docker ${machine.docker}). ${pairs} pair(s) in ABBA order, each release on a dockerd of its own with an empty store (vfs), started and removed outside the timing; a registry with htpasswd auth on loopback. The \`RUN\` step is busy for ${seconds} s and writes ${megabytes} MB; the cache variant pulls 1.0.0 (with that layer) before its build.`,
      '',
      table(
        ['step', 'without cache', 'spread', 'with cache', 'spread', 'with / without'],
        [
          row('build (prepare: registry check, pull, build)', 'buildMs'),
          row('push (publish)', 'pushMs'),
          row('image part of the release', 'totalMs'),
        ],
      ),
      '',
      `Load average at each release: ${timings.map((t) => `${t.variant} ${t.load.split(' ')[0]}`).join(', ')}.`,
    ].join('\n');
    saveResult({
      name: 'build-cache',
      title: 'Registry build cache on an empty daemon',
      command: `npx vite-node bench/build-cache.bench.ts -- --size=${size}`,
      size,
      machine,
      loadEnd: loadavg(),
      durationS: (Date.now() - t0) / 1000,
      headlines: [
        {
          metric: `second release's image (build + push), with docker.cache / without, ${seconds} s RUN step`,
          value: ratio(total),
          goal: '< 1.0×',
          met: total < 1,
        },
      ],
      markdown,
      raw: { seconds, megabytes, first: { ...first, log: undefined }, timings },
    });
  } finally {
    await registry.stop();
    await repo.cleanup();
  }
}

runMain(main);
