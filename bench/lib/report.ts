/** Where the time of one traced semantic-release run goes: per step and plugin, and per tool. */
import { ms, pct, table } from './stats.js';
import { coveredWithin, unionLength, type StepCall, type ToolCall } from './trace.js';
import type { SrRun } from './release.js';

const STEP_ORDER = [
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

export interface Breakdown {
  wallMs: number;
  /** Time in no plugin step: node start-up, config and plugin loading, semantic-release's own git work. */
  coreMs: number;
  /** Start of the CLI process to the first plugin step. */
  startupMs: number;
  steps: Array<{ step: string; plugin: string; ms: number; toolsMs: number; tools: string }>;
  tools: Array<{ tool: string; calls: number; ms: number; inPlugin: Record<string, number> }>;
}

export function topLevel(tools: readonly ToolCall[]): ToolCall[] {
  return tools.filter((t) => t.depth === 0);
}

/** `docker build`, `git push`, `python3 -m build`: the sub-command says more than the binary. */
function toolName(t: ToolCall): string {
  const [first, second] = t.args.split(' ');
  if (t.tool === 'python3') return first === '-m' ? `python3 -m ${second}` : `python3 ${first ?? ''}`.trim();
  if (t.tool === 'docker' || t.tool === 'git') return `${t.tool} ${first ?? ''}`.trim();
  return t.tool;
}

function pluginAt(steps: readonly StepCall[], t: ToolCall): string {
  const s = steps.find((s) => t.start >= s.start && t.start <= s.end);
  return s ? `${s.plugin}` : 'semantic-release';
}

export function breakdown(run: SrRun): Breakdown {
  const tools = topLevel(run.tools);
  const steps = [...run.steps].sort((a, b) => a.start - b.start);
  const inSteps = steps.reduce((a, s) => a + (s.end - s.start), 0);
  const byTool = new Map<string, { calls: number; ms: number; inPlugin: Record<string, number> }>();
  for (const t of tools) {
    const name = toolName(t);
    const entry = byTool.get(name) ?? { calls: 0, ms: 0, inPlugin: {} };
    entry.calls += 1;
    entry.ms += t.end - t.start;
    const p = pluginAt(steps, t);
    entry.inPlugin[p] = (entry.inPlugin[p] ?? 0) + (t.end - t.start);
    byTool.set(name, entry);
  }
  return {
    wallMs: run.wallMs,
    coreMs: run.wallMs - inSteps,
    startupMs: steps[0] ? steps[0].start - run.startMs : run.wallMs,
    steps: steps
      .sort((a, b) => STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step) || a.index - b.index)
      .map((s) => {
        const within = tools.filter((t) => t.start >= s.start && t.start <= s.end);
        const names = new Map<string, number>();
        for (const t of within) names.set(toolName(t), (names.get(toolName(t)) ?? 0) + (t.end - t.start));
        return {
          step: s.step,
          plugin: s.plugin,
          ms: s.end - s.start,
          toolsMs: coveredWithin(within, s.start, s.end),
          tools: [...names.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([n, v]) => `${n} ${ms(v)}`)
            .join(', '),
        };
      }),
    tools: [...byTool.entries()].map(([tool, v]) => ({ tool, ...v })).sort((a, b) => b.ms - a.ms),
  };
}

/** Markdown tables of one traced run. */
export function breakdownMarkdown(b: Breakdown, label: string): string {
  const stepRows = b.steps
    .filter((s) => s.ms >= 0.5)
    .map((s) => [s.step, s.plugin, ms(s.ms), pct(s.ms, b.wallMs), ms(s.toolsMs), s.tools || '—']);
  const toolRows = b.tools.map((t) => [
    t.tool,
    t.calls,
    ms(t.ms),
    Object.entries(t.inPlugin)
      .sort((x, y) => y[1] - x[1])
      .map(([p, v]) => `${p} ${ms(v)}`)
      .join(', '),
  ]);
  return [
    `**${label}** — wall ${ms(b.wallMs)}; start-up to the first step ${ms(b.startupMs)}; outside any plugin step (node start-up, config and plugin loading, semantic-release's own git work, tag push) ${ms(b.coreMs)}.`,
    '',
    table(
      ['step', 'plugin', 'wall', 'share', 'covered by child processes', 'child processes (sum)'],
      stepRows,
    ),
    '',
    table(['tool', 'calls', 'sum of wall', 'called during'], toolRows),
  ].join('\n');
}

export { unionLength };
