/**
 * Instrumentation for semantic-release runs, used only in "trace" runs (never in the timed ones):
 * - step wrappers: one generated ESM module per plugin that re-exports the plugin's lifecycle
 *   functions, logging each call's start and end (wall clock and monotonic clock) to a JSON-lines file;
 * - tool shims: a directory put first on PATH with one bash script per tool (git, docker, python3,
 *   tar, …) that runs the real binary and logs its start, end and nesting depth.
 * Timed runs get the same directory on PATH holding only plain symlinks, so PATH lookups cost the same.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './env.js';

/** Tools the shims cover: whatever the baseline's shell commands, the stack or semantic-release run. */
export const TOOLS = [
  'git',
  'docker',
  'python3',
  'tar',
  'gzip',
  'sed',
  'jq',
  'cp',
  'mv',
  'rm',
  'mkdir',
  'awk',
  'cat',
];

/** Real binaries; python3 is always the system one (`python -m build` and its deps live there). */
export function realTool(name: string, path = process.env.PATH ?? ''): string {
  if (name === 'python3') return '/usr/bin/python3';
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not on PATH`);
}

/**
 * A bin directory to put first on PATH. Untraced: symlinks to the real tools. Traced: bash shims
 * appending `name<TAB>start<TAB>end<TAB>depth<TAB>exit<TAB>first args` to $BENCH_TOOL_LOG
 * (EPOCHREALTIME, seconds). Nested calls (tar running gzip) have depth > 0 and are not double counted.
 */
export function makeBinDir(
  dir: string,
  traced: boolean,
  /** Binaries to use instead of the first one on PATH (e.g. another docker CLI). */
  overrides: Partial<Record<string, string>> = {},
): string {
  mkdirSync(dir, { recursive: true });
  for (const name of TOOLS) {
    const real = overrides[name] ?? realTool(name);
    const target = join(dir, name);
    if (!traced) {
      symlinkSync(real, target);
      continue;
    }
    writeFileSync(
      target,
      `#!/bin/bash
depth=\${BENCH_SHIM_DEPTH:-0}
export BENCH_SHIM_DEPTH=$((depth + 1))
start=$EPOCHREALTIME
${JSON.stringify(real)} "$@"
rc=$?
end=$EPOCHREALTIME
if [ -n "$BENCH_TOOL_LOG" ]; then
  args="$1 $2 $3"
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' ${name} "$start" "$end" "$depth" "$rc" "\${args//[$'\\t\\n']/ }" >> "$BENCH_TOOL_LOG"
fi
exit $rc
`,
    );
    chmodSync(target, 0o755);
  }
  return dir;
}

export interface ToolCall {
  tool: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  depth: number;
  exit: number;
  args: string;
}

export function readToolLog(file: string): ToolCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tool, start, end, depth, exit, args] = line.split('\t');
      return {
        tool: tool!,
        start: Number(start) * 1000,
        end: Number(end) * 1000,
        depth: Number(depth),
        exit: Number(exit),
        args: args ?? '',
      };
    });
}

export type PluginEntry = string | [string, Record<string, unknown>];

const requireFromProject = createRequire(join(PROJECT_ROOT, 'package.json'));

/** Absolute file of a plugin name as semantic-release would resolve it from the project. */
export function resolvePlugin(name: string): string {
  if (name.startsWith('/')) return name;
  // ESM-only packages without a `require` condition still resolve through their `main`/"." export.
  return requireFromProject.resolve(name);
}

const STEPS = [
  'verifyConditions',
  'analyzeCommits',
  'verifyRelease',
  'generateNotes',
  'prepare',
  'publish',
  'addChannel',
  'success',
  'fail',
];

/** The lifecycle functions a plugin module has, the way semantic-release's loadPlugin reads them. */
async function stepsOf(file: string): Promise<string[]> {
  const ns = (await import(pathToFileURL(file).href)) as Record<string, unknown> & { default?: unknown };
  const plugin = (ns.default ?? ns) as Record<string, unknown>;
  return STEPS.filter((s) => typeof plugin[s] === 'function');
}

export function pluginLabel(name: string): string {
  if (name.startsWith('/')) {
    if (name.endsWith('/dist/index.js')) return 'semantic-release-stack';
    return name
      .split('/')
      .pop()!
      .replace(/\.m?js$/, '');
  }
  return name;
}

/**
 * Replaces every plugin by a generated wrapper module (in `dir`) that logs each lifecycle call to
 * $BENCH_STEP_LOG. Options are passed through untouched.
 */
export async function wrapPlugins(dir: string, plugins: readonly PluginEntry[]): Promise<PluginEntry[]> {
  mkdirSync(dir, { recursive: true });
  const wrapped: PluginEntry[] = [];
  for (const [index, entry] of plugins.entries()) {
    const [name, options] = typeof entry === 'string' ? [entry, undefined] : entry;
    const file = resolvePlugin(name);
    const steps = await stepsOf(file);
    const wrapper = join(dir, `wrap-${index}-${pluginLabel(name).replace(/[^a-z0-9-]/gi, '_')}.mjs`);
    writeFileSync(
      wrapper,
      `import * as ns from ${JSON.stringify(pathToFileURL(file).href)};
import { appendFileSync } from 'node:fs';
const plugin = ns.default ?? ns;
const label = ${JSON.stringify(pluginLabel(name))};
const now = () => {
  const cpu = process.cpuUsage();
  return { wall: performance.timeOrigin + performance.now(), mono: Number(process.hrtime.bigint() / 1000n), cpu: cpu.user + cpu.system };
};
function wrap(step) {
  return async (pluginConfig, context) => {
    const start = now();
    let ok = true;
    try {
      return await plugin[step](pluginConfig, context);
    } catch (error) {
      ok = false;
      throw error;
    } finally {
      const end = now();
      if (process.env.BENCH_STEP_LOG) {
        appendFileSync(process.env.BENCH_STEP_LOG, JSON.stringify({ plugin: label, index: ${index}, step, start: start.wall, end: end.wall, startMono: start.mono, endMono: end.mono, cpuMs: (end.cpu - start.cpu) / 1000, ok }) + '\\n');
      }
    }
  };
}
${steps.map((s) => `export const ${s} = wrap(${JSON.stringify(s)});`).join('\n')}
`,
    );
    wrapped.push(options === undefined ? wrapper : [wrapper, options]);
  }
  return wrapped;
}

export interface StepCall {
  plugin: string;
  index: number;
  step: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  /** Monotonic microseconds (the clock of V8's CPU profiles). */
  startMono: number;
  endMono: number;
  /** CPU time (user + system, all threads) of the semantic-release process during the call, ms. */
  cpuMs: number;
  ok: boolean;
}

export function readStepLog(file: string): StepCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StepCall);
}

/** Total length of the union of intervals (so concurrent tools are counted once). */
export function unionLength(intervals: ReadonlyArray<{ start: number; end: number }>): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const { start, end } of sorted) {
    if (start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = start;
      curEnd = end;
    } else curEnd = Math.max(curEnd, end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** Length of the part of [start, end] the intervals cover (clipped). */
export function coveredWithin(
  intervals: ReadonlyArray<{ start: number; end: number }>,
  start: number,
  end: number,
): number {
  return unionLength(
    intervals
      .filter((i) => i.end > start && i.start < end)
      .map((i) => ({ start: Math.max(i.start, start), end: Math.min(i.end, end) })),
  );
}
