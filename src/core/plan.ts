import { checkEdits } from '../files/index.js';
import type { PlanLine, ReleaseContext, VersionField } from '../kind.js';
import { releaseValues, toEdits } from './version-fields.js';

/** Plan lines for every file edit of the release: path, key, old → new. */
export async function planEdits(ctx: ReleaseContext, fields: readonly VersionField[]): Promise<PlanLine[]> {
  const { checked, skipped, errors } = await checkEdits(
    ctx.root,
    toEdits(fields, releaseValues(ctx.release.versions)),
    { caches: ctx.caches.files },
  );
  if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  const old = (value: string | null) => (value === null ? '(added)' : value || '(empty)');
  return [
    ...checked.map((edit): PlanLine => ({
      action: 'edit',
      text: `${edit.path} ${edit.key}: ${old(edit.oldValue)} → ${edit.value}`,
    })),
    ...skipped.map((edit): PlanLine => ({
      action: 'edit',
      text: `${edit.path} ${edit.key}: left alone, ${edit.reason === 'no-file' ? 'the file does not exist' : 'the file has no such key'} (${edit.option} not set)`,
    })),
  ];
}

const LABEL: Record<PlanLine['action'], string> = {
  edit: 'edit',
  build: 'build',
  publish: 'publish',
  sign: 'sign',
  tag: 'tag',
  dev: 'then',
};

/** The release plan as printed: the answer to "what will this release do?". */
export function formatPlan(ctx: ReleaseContext, lines: readonly PlanLine[]): string[] {
  const order: PlanLine['action'][] = ['edit', 'build', 'tag', 'publish', 'sign', 'dev'];
  const sorted = [...lines].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action));
  const heading = `Release plan for ${ctx.release.gitTag} (${ctx.release.version})${ctx.dryRun ? ' — dry run, nothing will be written' : ''}:`;
  return [heading, ...sorted.map((line) => `  ${LABEL[line.action].padEnd(7)} ${line.text}`)];
}
