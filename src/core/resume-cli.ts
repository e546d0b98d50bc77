import { format, parseArgs } from 'node:util';
import { isStackError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createRedactor, type Redactor } from '../redact.js';
import { resumePublish, type ResumeOutcome } from './resume.js';

const PUBLISH_USAGE =
  'usage: semantic-release-stack publish --tag <tag> [--config <file>] [--dry-run] [--branch <name>] [--git-head <commit>]';

/** Progress goes to stderr, redacted; stdout is kept for the summary. */
function stderrLogger(redactor: Redactor): Logger {
  const write =
    (level: string) =>
    (...args: unknown[]) =>
      process.stderr.write(`[${level}] ${redactor.redact(format(...args))}\n`);
  return { log: write('log'), warn: write('warn'), error: write('error'), success: write('success') };
}

export function formatSummary(outcome: ResumeOutcome): string {
  const lines = [
    `${outcome.dryRun ? 'Dry run of' : 'Published'} ${outcome.tag} (${outcome.version}) from ${outcome.tagCommit.slice(0, 12)}, branch ${outcome.branch.name} (${outcome.branch.type})`,
  ];
  for (const line of outcome.skipped) lines.push(`  skipped    ${line}`);
  for (const line of outcome.published) lines.push(`  published  ${line}`);
  if (!outcome.dryRun && outcome.skipped.length === 0 && outcome.published.length === 0)
    lines.push('  nothing to publish');
  for (const artifact of outcome.artifacts) {
    const where = artifact.refs?.join(', ') ?? artifact.name;
    lines.push(`  artifact   ${artifact.type} ${where}${artifact.digest ? ` ${artifact.digest}` : ''}`);
  }
  if (outcome.githubRelease) lines.push(`  release    ${outcome.githubRelease}`);
  if (outcome.leftOut.length)
    lines.push(
      `  not covered ${outcome.leftOut.join(', ')} (nothing to publish${outcome.githubRelease ? '' : ', and no GitHub release configured'})`,
    );
  return `${lines.join('\n')}\n`;
}

/** Every coded error with its code, message and details; anything else by its message. */
export function formatResumeError(error: unknown, redactor: Redactor = createRedactor()): string {
  const errors = error instanceof AggregateError ? error.errors : [error];
  return errors
    .map((e) => {
      if (isStackError(e)) return `${e.code} ${e.message}\n${e.details}\n`;
      return `${e instanceof Error ? e.message : String(e)}\n`;
    })
    .map((text) => redactor.redact(text))
    .join('\n');
}

/** Parses the arguments of `publish` and runs it; the exit status. */
export async function publishCommand(
  args: string[],
  { cwd, env }: { cwd: string; env: Record<string, string | undefined> },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tag: { type: 'string' },
      config: { type: 'string' },
      'dry-run': { type: 'boolean' },
      branch: { type: 'string' },
      'git-head': { type: 'string' },
    },
  });
  if (!values.tag || positionals.length > 0) {
    process.stderr.write(`${PUBLISH_USAGE}\n`);
    return 2;
  }
  const redactor = createRedactor(env);
  try {
    const outcome = await resumePublish({
      cwd,
      env,
      tag: values.tag,
      dryRun: values['dry-run'] === true,
      logger: stderrLogger(redactor),
      ...(values.config ? { configFile: values.config } : {}),
      ...(values.branch ? { branch: values.branch } : {}),
      ...(values['git-head'] ? { gitHead: values['git-head'] } : {}),
    });
    process.stdout.write(formatSummary(outcome));
    return 0;
  } catch (error) {
    process.stderr.write(formatResumeError(error, redactor));
    return 1;
  }
}
