/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) of the semantic-release process and says how much CPU
 * went into the stack's own code. Sample times are on V8's monotonic clock (microseconds), the
 * same clock as process.hrtime() in the step wrappers, so samples can be placed inside steps.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { StepCall } from './trace.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Profile length (wall), ms. */
  profileMs: number;
  idleMs: number;
  /** Busy = everything but (idle). */
  busyMs: number;
  gcMs: number;
  /** Samples with at least one frame in the stack's dist/: its code and what it calls in-process. */
  stackInclusiveMs: number;
  /** Samples whose innermost frame is in dist/. */
  stackSelfMs: number;
  /** Inclusive stack CPU inside the stack's steps, per step. */
  stackByStep: Record<string, number>;
  /** Inclusive stack CPU outside its steps (module evaluation at plugin load). */
  stackOutsideStepsMs: number;
  /** All busy CPU of the process while a stack step ran (stack code, execa, streams, GC, logging). */
  busyInStackStepsMs: number;
  /**
   * Of the stack's CPU inside its steps, the part spent in Node's `ChildProcess.spawn`: the kernel
   * forking the whole semantic-release process (page tables in proportion to its memory) for each
   * child. It is paid per child, whatever the plugin's own code does.
   */
  spawnInStepsMs: number;
  /** Where stack-inclusive time ends up: innermost frame's package (`dist`, `node:…`, npm package). */
  stackByLeafPackage: Array<{ name: string; ms: number }>;
  /** Self time by function inside dist/. */
  topSelf: Array<{ fn: string; ms: number }>;
  /** Inclusive time by dist/ function (each sample counted once per function). */
  topInclusive: Array<{ fn: string; ms: number }>;
  /**
   * Inclusive time inside the stack's steps by source module (`src/…`, or, in a bundle of an older
   * commit, a bundled library's `node_modules/<name>`), each sample counted once per module.
   */
  topModules: Array<{ fn: string; ms: number }>;
  /** Sanity check of the clock alignment: share of the stack's step time inside the profile window. */
  stepsInsideProfile: number;
}

/**
 * The source module a line in dist/ belongs to: tsc's one-module-per-file output names it by its
 * path (`core/plugin.js` is `src/core/plugin.ts`). The esbuild bundles that older commits published
 * are read too: esbuild writes a `// src/core/plugin.ts` (or `// node_modules/yaml/dist/…`) comment
 * before each module's code, and the nearest one above the line names it.
 */
function moduleLocator(distUrl: string): (url: string, line: number) => string {
  const markers = new Map<string, Array<{ line: number; name: string }>>();
  return (url, line) => {
    let list = markers.get(url);
    if (!list) {
      list = [];
      const lines = readFileSync(new URL(url), 'utf8').split('\n');
      lines.forEach((text, i) => {
        const m = /^\/\/ (?:\S*\/)?((?:src|node_modules)\/\S+)$/.exec(text);
        if (!m) return;
        const path = m[1]!;
        const lib = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
        list!.push({ line: i, name: lib ? `node_modules/${lib[1]}` : path });
      });
      markers.set(url, list);
    }
    let name = `src/${url.slice(distUrl.length).replace(/\.js$/, '.ts')}`;
    for (const marker of list) {
      if (marker.line > line) break;
      name = marker.name;
    }
    return name;
  };
}

function packageOf(url: string, distUrl: string): string {
  if (!url) return '(native)';
  if (url.startsWith(distUrl)) return 'dist';
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, distDir: string, steps: readonly StepCall[]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const distUrl = pathToFileURL(distDir).href + '/';
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const c of node.children ?? []) byId.get(c)!.parent = node.id;

  const inDist = (n: ProfileNode) => n.callFrame.url.startsWith(distUrl);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.slice(distUrl.length)}:${n.callFrame.lineNumber + 1}`;

  const stackSteps = steps.filter((s) => s.plugin === 'semantic-release-stack');
  const stepAt = (t: number) => stackSteps.find((s) => t >= s.startMono && t <= s.endMono);

  let idle = 0;
  let gc = 0;
  let busy = 0;
  let inclusive = 0;
  let self = 0;
  let outside = 0;
  let busyInSteps = 0;
  let spawnInSteps = 0;
  const byStep: Record<string, number> = {};
  const byLeaf = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const inclModule = new Map<string, number>();
  const moduleOf = moduleLocator(distUrl);

  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]!)!;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    if (name === '(garbage collector)') gc += dt;
    const step = stepAt(t);
    if (step) busyInSteps += dt;
    const seen = new Set<string>();
    const seenModules = new Set<string>();
    let hasDist = false;
    let inSpawn = false;
    for (
      let n: ProfileNode | undefined = leaf;
      n;
      n = n.parent === undefined ? undefined : byId.get(n.parent)
    ) {
      if (
        n.callFrame.functionName === 'ChildProcess.spawn' &&
        n.callFrame.url === 'node:internal/child_process'
      )
        inSpawn = true;
      if (inDist(n)) {
        hasDist = true;
        const fn = label(n);
        if (!seen.has(fn)) {
          seen.add(fn);
          inclFn.set(fn, (inclFn.get(fn) ?? 0) + dt);
        }
        const module = moduleOf(n.callFrame.url, n.callFrame.lineNumber);
        if (step && !seenModules.has(module)) {
          seenModules.add(module);
          inclModule.set(module, (inclModule.get(module) ?? 0) + dt);
        }
      }
    }
    if (!hasDist) continue;
    inclusive += dt;
    if (step) {
      byStep[step.step] = (byStep[step.step] ?? 0) + dt;
      if (inSpawn) spawnInSteps += dt;
    } else outside += dt;
    const pkg = packageOf(leaf.callFrame.url, distUrl);
    byLeaf.set(pkg, (byLeaf.get(pkg) ?? 0) + dt);
    if (inDist(leaf)) {
      self += dt;
      const fn = label(leaf);
      selfFn.set(fn, (selfFn.get(fn) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ fn: k, ms: v }));
  const stepTotal = stackSteps.reduce((a, s) => a + (s.endMono - s.startMono), 0);
  const stepInside = stackSteps.reduce(
    (a, s) =>
      a + Math.max(0, Math.min(s.endMono, profile.endTime) - Math.max(s.startMono, profile.startTime)),
    0,
  );
  return {
    profileMs: (profile.endTime - profile.startTime) / 1000,
    idleMs: idle,
    busyMs: busy,
    gcMs: gc,
    stackInclusiveMs: inclusive,
    stackSelfMs: self,
    stackByStep: byStep,
    stackOutsideStepsMs: outside,
    busyInStackStepsMs: busyInSteps,
    spawnInStepsMs: spawnInSteps,
    stackByLeafPackage: [...byLeaf.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms })),
    topSelf: top(selfFn, 12),
    topInclusive: top(inclFn, 12),
    topModules: top(inclModule, 20),
    stepsInsideProfile: stepTotal > 0 ? stepInside / stepTotal : 1,
  };
}
