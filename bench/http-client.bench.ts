/**
 * What undici costs a process that makes one HTTP request, against node:http, in fresh Node processes
 * alternating in one invocation (the machine is shared: only same-run comparisons mean anything).
 * Each process imports its client, asks a loopback server (which would keep the connection for a
 * minute) once, and exits; the driver times spawn → exit, and the child reports its import time and
 * its time to the answer. Variants:
 *
 * - `node`: an empty process (the floor);
 * - `node:http`: `http.get` (what src/core/http.ts was until December 2026);
 * - `undici`: `request()` through an `EnvHttpProxyAgent` (what the stack does now);
 * - `stack`: the stack's own `createHttpClient` from the measured dist (redirect and retry
 *   interceptors, the proxy settings), i.e. what one plugin step pays.
 *
 * With `--before=/abs/dist` (a compiled tree of the code measured against, e.g. the last commit with
 * the node:http client), it then runs `semantic-release --dry-run` of the example, as
 * bench/dry-run.bench.ts does, alternating bare with the stack alone and the preset, each from
 * `--before` and from `--dist`, so every ratio to bare comes from the same minutes.
 *
 *   npx vite-node bench/http-client.bench.ts -- [--runs=N] [--dist=head|worktree|/abs/dist] [--before=/abs/dist]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeMachine, distLabel, loadavg, machineLine, runMain, runsArg, stackDist } from './lib/env.js';
import {
  assertOk,
  cleanupRun,
  prepareRun,
  runRelease,
  pluginsOf,
  stackPlugin,
  startServices,
  type Services,
  type Variant as Release,
} from './lib/release.js';
import type { PluginEntry } from './lib/trace.js';
import { median, ms, ratio, spread, table } from './lib/stats.js';

const VARIANTS = ['node', 'node:http', 'undici', 'stack'] as const;
type Variant = (typeof VARIANTS)[number];

function script(variant: Variant, url: string, dist: string): string {
  const timed = (load: string, ask: string) =>
    `const t0 = performance.now();\n${load}\nconst t1 = performance.now();\n${ask}\n` +
    `console.log(JSON.stringify({ importMs: t1 - t0, answerMs: performance.now() - t1 }));`;
  switch (variant) {
    case 'node':
      return 'console.log(JSON.stringify({ importMs: 0, answerMs: 0 }));';
    case 'node:http':
      return timed(
        "const http = await import('node:http');",
        `await new Promise((resolve, reject) => http.get(${JSON.stringify(url)}, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));`,
      );
    case 'undici':
      return timed(
        "const { EnvHttpProxyAgent, request } = await import('undici');",
        `const dispatcher = new EnvHttpProxyAgent({ httpProxy: '', httpsProxy: '', noProxy: '' });\n` +
          `await (await request(${JSON.stringify(url)}, { dispatcher })).body.text();`,
      );
    case 'stack':
      return timed(
        `const { createHttpClient } = await import(${JSON.stringify(pathToFileURL(join(dist, 'core/http.js')).href)});`,
        `await (await createHttpClient({ env: {} }).request(${JSON.stringify(url)})).text();`,
      );
  }
}

interface Sample {
  wallMs: number;
  importMs: number;
  answerMs: number;
}

function once(variant: Variant, url: string, dist: string, cwd: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script(variant, url, dist)], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${variant} exited with ${code}`));
      resolve({ wallMs, ...(JSON.parse(out) as Omit<Sample, 'wallMs'>) });
    });
  });
}

async function main(): Promise<void> {
  const dist = stackDist();
  const rounds = runsArg(20);
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'keep-alive': 'timeout=60' }).end('ok'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // The dist's dependencies resolve from its folder (the compiled commits link node_modules there).
  const cwd = join(dist, '..');
  const samples: Record<Variant, Sample[]> = { node: [], 'node:http': [], undici: [], stack: [] };
  const load = loadavg();
  try {
    for (const v of VARIANTS) await once(v, url, dist, cwd); // warm-up: the file cache
    for (let i = 0; i < rounds; i++) {
      const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]!);
      for (const v of order) samples[v].push(await once(v, url, dist, cwd));
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  const floor = median(samples.node.map((s) => s.wallMs));
  const rows = VARIANTS.map((v) => {
    const wall = median(samples[v].map((s) => s.wallMs));
    const ask = samples[v].map((s) => s.importMs + s.answerMs);
    return [
      v,
      ms(wall),
      v === 'node' ? '—' : ms(wall - floor),
      ms(median(samples[v].map((s) => s.importMs))),
      ms(median(samples[v].map((s) => s.answerMs))),
      v === 'node' ? '—' : ms(wall - floor - median(ask)),
    ];
  });
  console.log(
    `\n${machineLine(describeMachine())}; load ${load} → ${loadavg()}; ${rounds} rounds; ${distLabel(dist)}`,
  );
  console.log(
    table(
      ['variant', 'process (median)', 'over empty node', 'import', 'request', 'left for exit & start-up'],
      rows,
    ),
  );
  const before = process.argv.find((a) => a.startsWith('--before='))?.slice('--before='.length);
  if (before) await dryRuns(before, dist, Math.max(3, Math.round(rounds / 3)));
}

/**
 * bare, the stack as the only plugin and the preset with the stack, each from `before` and `dist`:
 * alternating dry runs. In the preset, @semantic-release/github loads undici and Octokit itself.
 */
async function dryRuns(before: string, dist: string, rounds: number): Promise<void> {
  const services: Services = await startServices();
  const setup = await prepareRun(services);
  const withCode = (code: string, entries: PluginEntry[]) =>
    entries.map(
      (e) => (Array.isArray(e) && e[0] === stackPlugin() ? [join(code, 'index.js'), e[1]] : e) as PluginEntry,
    );
  const sides: Record<string, { variant: Release; plugins?: PluginEntry[] }> = {
    bare: { variant: 'bare' },
    'stack alone, before': {
      variant: 'stack-alone',
      plugins: withCode(before, pluginsOf('stack-alone', setup.image)),
    },
    'stack alone, now': {
      variant: 'stack-alone',
      plugins: withCode(dist, pluginsOf('stack-alone', setup.image)),
    },
    'preset, before': { variant: 'stack', plugins: withCode(before, pluginsOf('stack', setup.image)) },
    'preset, now': { variant: 'stack', plugins: withCode(dist, pluginsOf('stack', setup.image)) },
  };
  const names = Object.keys(sides);
  const walls: Record<string, number[]> = {};
  const load = loadavg();
  try {
    const once = async (side: string) => {
      const run = await runRelease(setup, { ...sides[side]!, services, dryRun: true });
      assertOk(run, `${side} dry run`);
      return run.wallMs;
    };
    for (const side of names) await once(side); // warm-up
    for (let i = 0; i < rounds; i++) {
      const order = names.map((_, k) => names[(k + i) % names.length]!);
      const line: string[] = [];
      for (const side of order) {
        const wall = await once(side);
        (walls[side] ??= []).push(wall);
        line.push(`${side} ${ms(wall)}`);
      }
      console.log(`dry run round ${i + 1}/${rounds}: ${line.join(', ')}`);
    }
  } finally {
    await cleanupRun(setup);
    await services.stop();
  }
  const med = (side: string) => median(walls[side] ?? []);
  console.log(`\ndry runs, load ${load} → ${loadavg()}; before: ${before}; now: ${distLabel(dist)}`);
  console.log(
    table(
      ['dry run', 'runs', 'median wall', 'min–max', '/ bare'],
      names.map((side) => [
        side,
        walls[side]?.length ?? 0,
        ms(med(side)),
        spread(walls[side] ?? []),
        ratio(med(side) / med('bare')),
      ]),
    ),
  );
}

runMain(main);
