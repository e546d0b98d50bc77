import { throwAll } from '../errors.js';
import type { Outcome, PublishedRelease, PublishResult, ReleaseContext } from '../kind.js';
import type { Active } from './sections.js';

/**
 * semantic-release's release object, as a publish or addChannel step returns it (see
 * @semantic-release/npm and github): listed in semantic-release's `releases`, its log and
 * @semantic-release/github's success comment. `false` when the step published nothing.
 */
export interface ReleaseObject {
  name: string;
  url?: string;
  /** The channel it was published on; null for the default channel. */
  channel: string | null;
}

/**
 * Runs one publishing step (publish, addChannel) of each kind in list order. A conflict (something
 * else already published under the same name) stops the run there with its coded error: later kinds
 * publish nothing. `after` sees each result as it comes (the manifest records its artifacts).
 */
export async function publishInOrder(
  active: readonly Active[],
  step: (entry: Active) => Promise<PublishResult> | undefined,
  after: (result: PublishResult) => Promise<void> = async () => {},
): Promise<{ outcomes: Outcome[]; releases: PublishedRelease[] }> {
  const outcomes: Outcome[] = [];
  const releases: PublishedRelease[] = [];
  for (const entry of active) {
    const running = step(entry);
    if (!running) continue;
    const result = await running;
    await after(result);
    outcomes.push(...result.outcomes);
    throwAll(result.outcomes.flatMap((o) => (o.status === 'conflict' ? [o.error] : [])));
    if (result.release) releases.push(result.release);
  }
  return { outcomes, releases };
}

/** One release object for what the kinds published: every name, the first page to look at. */
export function releaseObject(
  releases: readonly PublishedRelease[],
  ctx: ReleaseContext,
): ReleaseObject | false {
  if (releases.length === 0) return false;
  const url = releases.find((r) => r.url)?.url;
  return {
    name: releases.map((r) => r.name).join(', '),
    ...(url ? { url } : {}),
    channel: ctx.release.channel ?? null,
  };
}
