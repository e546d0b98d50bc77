// Child process of bench/exec.bench.ts (plain node, no transform): loads one variant of exec — the
// stack's (execa) from <dist>, or the plain-spawn baseline — then runs each command `runs` times
// in a row after two untimed calls, and prints JSON: the import's wall and CPU time, and each
// call's wall and CPU time (this process's user + system, which excludes the child's own).
// Usage: node exec-cost-child.mjs <dist dir> <execa|spawn> <runs> <commands as JSON>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, variant, runsArg, commandsJson] = process.argv.slice(2);
const runs = Number(runsArg);
const load = (file) => import(pathToFileURL(file).href);
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const importStart = { wall: performance.now(), cpu: cpuMs() };
const exec =
  variant === 'execa'
    ? (await load(join(dist, 'exec.js'))).exec
    : (await load(new URL('./plain-spawn.mjs', import.meta.url).pathname)).plainExec;
const imported = { wallMs: performance.now() - importStart.wall, cpuMs: cpuMs() - importStart.cpu };

const { createRedactor } = await load(join(dist, 'redact.js'));
const lines = { count: 0 };
const logger = { log: () => lines.count++, warn() {}, error() {}, success() {} };
const ctx = {
  cwd: process.cwd(),
  env: { PATH: process.env.PATH, BENCH_TOKEN: 'bench-secret-value-1234' },
  logger,
  redactor: createRedactor({ BENCH_TOKEN: 'bench-secret-value-1234' }),
};

const results = {};
for (const { name, file, args } of JSON.parse(commandsJson)) {
  for (let i = 0; i < 2; i++) await exec(ctx, file, args);
  const calls = [];
  for (let i = 0; i < runs; i++) {
    const wall = performance.now();
    const cpu = cpuMs();
    await exec(ctx, file, args);
    calls.push({ wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu });
  }
  results[name] = calls;
}
process.stdout.write(`${JSON.stringify({ variant, imported, results, logCalls: lines.count })}\n`);
