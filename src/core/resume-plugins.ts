import type { ExecContext } from '../exec.js';
import type { ArtifactKind, Outcome } from '../kind.js';
import { KINDS, kindByEntry } from '../kinds/index.js';
import type { SrContext } from './context.js';
import { createPlugin, type Plugin } from './plugin.js';
import type { ReleaseOptions, StackEntry } from './release-config.js';

/** The plugin instances a resumed release runs, from the release's `plugins` entries of this package. */
type AnyKind = ArtifactKind<unknown>;

export interface PluginRun {
  plugin: Plugin;
  config: Record<string, unknown>;
}

/**
 * Kinds with a publish or a success step stay (the dev version and the chart index are success's:
 * a release whose publish failed never got there). Kinds whose files only feed the GitHub release
 * (their artifact types with a GitHub asset) stay when there is one to complete.
 */
const resumable = (withGithub: boolean) => (kind: AnyKind) =>
  typeof kind.publish === 'function' ||
  typeof kind.success === 'function' ||
  (withGithub && kind.artifacts.some((a) => a.githubAsset));

export function pluginsFor(
  entries: StackEntry[],
  options: ReleaseOptions,
  withGithub: boolean,
): { runs: PluginRun[]; leftOut: string[] } {
  const publishes = resumable(withGithub);
  const leftOut = new Set<string>();
  const runs: PluginRun[] = [];
  for (const entry of entries) {
    if (entry.entry === 'composite') {
      const kinds = (KINDS as readonly AnyKind[]).filter(publishes);
      for (const kind of KINDS as readonly AnyKind[]) if (!publishes(kind)) leftOut.add(kind.name);
      const config: Record<string, unknown> = { ...options, ...entry.config };
      for (const name of leftOut) delete config[name];
      runs.push({ plugin: createPlugin(kinds, 'composite'), config });
    } else {
      const kind = kindByEntry(entry.entry) as AnyKind;
      if (!publishes(kind)) {
        leftOut.add(kind.name);
        continue;
      }
      runs.push({ plugin: createPlugin([kind], 'standalone'), config: { ...options, ...entry.config } });
    }
  }
  return { runs, leftOut: [...leftOut] };
}

/** The summary's lines of the kinds' outcomes: what was sent, and what was there already. */
export function summaryOf(outcomes: readonly Outcome[], redactor: ExecContext['redactor']) {
  const line = (text: string) => redactor.redact(text);
  return {
    published: outcomes.flatMap((o) => (o.status === 'published' ? [line(o.what)] : [])),
    skipped: outcomes.flatMap((o) => (o.status === 'already-there' ? [line(`${o.what} ${o.why}`)] : [])),
  };
}

/**
 * The success step of the resumed release (the chart index entry, the development version…); a
 * kind whose success is already done (an earlier resume, or a person) is left out.
 */
export async function resumeSuccess(
  runs: PluginRun[],
  context: SrContext,
  redactor: ExecContext['redactor'],
): Promise<{ skipped: string[]; published: string[] }> {
  const skipped: string[] = [];
  const outcomes: Outcome[] = [];
  for (const run of runs) {
    const done = await run.plugin.resumeSuccess(run.config, context);
    skipped.push(...done.skipped);
    outcomes.push(...done.outcomes);
  }
  const summary = summaryOf(outcomes, redactor);
  return { skipped: [...skipped, ...summary.skipped], published: summary.published };
}
