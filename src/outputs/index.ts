import path from 'node:path';
import type { Manifest } from '../core/manifest.js';
import { stackError } from '../errors.js';
import { writeFileAtomic } from '../files/index.js';
import type { ReleaseContext, StepContext } from '../kind.js';
import { digestLines, releasedArtifacts } from './artifacts.js';
import { appendOutputs, type Output } from './github-output.js';
import { summaryMarkdown, writeSummary } from './summary.js';

/**
 * What the release tells the rest of a GitHub Actions workflow: step outputs (GITHUB_OUTPUT), the
 * step summary (GITHUB_STEP_SUMMARY) and release-artifacts/digests.txt. Each step writes what it
 * knows; the runner keeps the last value of a key, so later steps overwrite earlier ones:
 * - verifyConditions: `released=false` (semantic-release calls no later step when there is nothing
 *   to release, and a dry run stops after verifyRelease);
 * - verifyRelease: the planned `version`, `tag`, `pep440` (also in a dry run);
 * - publish: `released=true` and every artifact's reference and digest, and digests.txt;
 * - success: the step summary.
 * A dry run writes the outputs file and nothing else.
 */

export const DIGESTS_FILE = 'digests.txt';

const outputFile = (ctx: StepContext): string | undefined =>
  ctx.env.GITHUB_OUTPUT ? path.resolve(ctx.root, ctx.env.GITHUB_OUTPUT) : undefined;

function versionOutputs(ctx: ReleaseContext): Output[] {
  const outputs: Output[] = [
    ['version', ctx.release.version],
    ['tag', ctx.release.gitTag],
  ];
  // A channel PEP 440 cannot express (no Python kind): no pep440 to tell.
  const pep440 = ctx.release.versions.pep440;
  if (pep440.ok) outputs.push(['pep440', pep440.value]);
  return outputs;
}

/** Every artifact's reference and digest; several of one kind (images) one per line. */
function artifactOutputs(manifest: Manifest): Output[] {
  const byKey = new Map<string, { references: string[]; digests: string[] }>();
  for (const a of releasedArtifacts(manifest)) {
    const entry = byKey.get(a.key) ?? { references: [], digests: [] };
    entry.references.push(a.reference);
    if (a.digest) entry.digests.push(a.digest);
    byKey.set(a.key, entry);
  }
  return [...byKey].flatMap(([key, { references, digests }]): Output[] => [
    [key, references.join('\n')],
    ...(digests.length === references.length ? [[`${key}-digest`, digests.join('\n')] as const] : []),
  ]);
}

async function append(ctx: StepContext, outputs: Output[]): Promise<void> {
  const file = outputFile(ctx);
  if (!file) return;
  const redacted = outputs.map(([key, value]): Output => [key, ctx.redactor.redact(value)]);
  await appendOutputs(file, redacted);
}

/** verifyConditions: `released=false` until a later step knows better; proves the file is writable. */
export async function outputsAtVerifyConditions(ctx: StepContext): Promise<Error[]> {
  try {
    await append(ctx, [['released', 'false']]);
    return [];
  } catch (error) {
    return [stackError('EWORKFLOWOUTPUT', { variable: 'GITHUB_OUTPUT', reason: (error as Error).message })];
  }
}

/** verifyRelease: the version semantic-release decided (a dry run's planned version). */
export async function outputsAtVerifyRelease(ctx: ReleaseContext): Promise<void> {
  await append(ctx, versionOutputs(ctx)).catch((error: Error) => warn(ctx, 'workflow outputs', error));
}

// After verifyConditions proved the file writable, a failure is no reason to stop a release.
function warn(ctx: StepContext, what: string, error: Error): void {
  ctx.logger.warn('Could not write the %s: %s', what, ctx.redactor.redact(error.message));
}

/** publish, after every kind published: the release is out (a failure only warns). */
export async function outputsAtPublish(ctx: ReleaseContext, manifest: Manifest): Promise<void> {
  try {
    const digests = digestLines(manifest);
    if (digests.length > 0)
      await writeFileAtomic(path.join(ctx.artifactsDir, DIGESTS_FILE), `${digests.join('\n')}\n`);
    await append(ctx, [['released', 'true'], ...versionOutputs(ctx), ...artifactOutputs(manifest)]);
  } catch (error) {
    warn(ctx, 'workflow outputs', error as Error);
  }
}

/** success: the Markdown summary of the release, when the run has a step summary. */
export async function outputsAtSuccess(ctx: ReleaseContext, manifest: Manifest): Promise<void> {
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository } = ctx.env;
  const markdown = summaryMarkdown({
    tag: ctx.release.gitTag,
    version: ctx.release.version,
    pep440: versionOutputs(ctx).find(([key]) => key === 'pep440')?.[1],
    artifacts: releasedArtifacts(manifest),
    releaseUrl:
      server && repository
        ? `${server.replace(/\/+$/, '')}/${repository}/releases/tag/${encodeURIComponent(ctx.release.gitTag)}`
        : undefined,
  });
  try {
    await writeSummary(path.resolve(ctx.root, file), ctx.release.gitTag, ctx.redactor.redact(markdown));
  } catch (error) {
    warn(ctx, 'step summary', error as Error);
  }
}
