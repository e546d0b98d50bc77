import type { RenderingNeed, StepContext } from '../kind.js';
import { problemError, templateRenderings, type RenderingName, type RenderingProblem } from '../version.js';
import type { Active } from './sections.js';

/** What a kind reads of the version: its declared renderings and its version fields'. */
export function renderingNeeds(entry: Active, ctx: StepContext): RenderingNeed[] {
  const { kind, config } = entry;
  const fields = (kind.versionFields?.(config, ctx) ?? []).flatMap((field): RenderingNeed[] => {
    const { render, option } = field;
    if (typeof render === 'string') return [{ rendering: render, option }];
    // A `set` template: what it asks for at the release (the dev version's are all there).
    return templateRenderings(render.release ?? '').map((rendering) => ({ rendering, option }));
  });
  return [...(kind.renderings?.(config) ?? []), ...fields];
}

/**
 * The coded errors for the renderings the active kinds need but that cannot be made: one per problem
 * (a channel without a PEP 440 phase stops PEP 440 and the development version after it alike),
 * naming every option that asked for it, built by the first kind that has its own error for it.
 * Also which kinds they stop, so those kinds' own checks do not trip over the same gap.
 */
export function renderingErrors(
  active: readonly Active[],
  ctx: StepContext,
  problems: Partial<Record<RenderingName, RenderingProblem>>,
): { errors: Error[]; blocked: Set<Active> } {
  const groups = new Map<string, { problem: RenderingProblem; needing: Active[]; needs: RenderingNeed[] }>();
  for (const entry of active) {
    for (const need of renderingNeeds(entry, ctx)) {
      const problem = problems[need.rendering];
      if (!problem) continue;
      const key = JSON.stringify(problem);
      const group = groups.get(key) ?? { problem, needing: [], needs: [] };
      if (!group.needing.includes(entry)) group.needing.push(entry);
      group.needs.push(need);
      groups.set(key, group);
    }
  }
  const errors = [...groups.values()].map(({ problem, needing, needs }) => {
    const owner = needing.find((entry) => entry.kind.renderingError);
    const neededBy = [...new Set(needs.map((n) => `\`${n.option}\``))].join(', ');
    return owner?.kind.renderingError?.(problem, needs) ?? problemError(problem, { neededBy });
  });
  return { errors, blocked: new Set([...groups.values()].flatMap((g) => g.needing)) };
}
