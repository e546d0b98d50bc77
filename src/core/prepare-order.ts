import { throwAll } from '../errors.js';
import type { ReleaseContext } from '../kind.js';
import { mergeArtifacts, type Manifest } from './manifest.js';
import type { Active } from './sections.js';

/**
 * Runs every kind's prepare as soon as the kinds that make what it consumes (`consumes`, by
 * artifact type) are done, so independent work overlaps (wheel, docs archive and chart at once; the
 * image right after the wheel). A kind whose dependency failed does not start; every failure is
 * reported.
 */
export async function prepareConcurrently(
  active: Active[],
  ctx: ReleaseContext,
  manifest: Manifest,
): Promise<void> {
  const started = new Map<Active, Promise<void>>();
  const makers = (entry: Active) =>
    active.filter(
      (other) => other !== entry && other.kind.artifacts.some((a) => entry.kind.consumes?.includes(a.type)),
    );
  const visiting = new Set<Active>();
  const start = (entry: Active): Promise<void> => {
    let running = started.get(entry);
    if (!running) {
      if (visiting.has(entry)) throw new Error(`kind ${entry.kind.name} consumes its own output`);
      visiting.add(entry);
      running = Promise.all(makers(entry).map(start)).then(async () => {
        if (entry.kind.prepare)
          mergeArtifacts(manifest, await entry.kind.prepare(entry.config, ctx, manifest));
      });
      started.set(entry, running);
    }
    return running;
  };
  const results = await Promise.allSettled(active.map(start));
  // a kind stopped by its dependency's failure repeats that same error: report each once
  throwAll([...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])))]);
}
