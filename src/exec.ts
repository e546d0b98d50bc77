import { MAX_OUTPUT_BYTES, runChild, type ChildOutcome } from './exec-child.js';
import { stackError } from './errors.js';
import type { Logger } from './logger.js';
import type { Redactor } from './redact.js';

/** Everything a child process takes from the semantic-release context. */
export interface ExecContext {
  cwd: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  redactor: Redactor;
}

export interface ExecOptions {
  cwd?: string;
  /** Added to the context's env; secrets travel here or through `input`, never in argv. */
  env?: Record<string, string | undefined>;
  /** Written to stdin (e.g. a password for `--password-stdin`). */
  input?: string | Buffer;
  /** Do not stream output to the logger (still captured, and shown on failure). */
  quiet?: boolean;
  /** How to install the command when it is missing; goes into ECOMMANDNOTFOUND's details. */
  install?: string;
  /** Return instead of throwing when the command exits non-zero. */
  reject?: boolean;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const OUTPUT_TAIL = 8000;

/**
 * The only way this package starts a child process: an argv array, never a shell. Output is
 * redacted, streamed to the context's logger in whole lines, and kept for the error if it fails.
 */
export async function exec(
  ctx: ExecContext,
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { redactor, logger } = ctx;
  const outcome = await runChild({
    file,
    args,
    cwd: options.cwd ?? ctx.cwd,
    env: { ...ctx.env, ...options.env },
    input: options.input,
    timeoutMs: options.timeoutMs,
    // One log entry per piece of output: signale formats every entry, so per line it cost a
    // build with a few hundred lines of output tens of milliseconds of CPU.
    onLines: options.quiet ? undefined : (lines) => logger.log('%s', redactor.redact(lines.join('\n'))),
  });
  if (outcome.spawnError?.code === 'ENOENT') {
    throw stackError('ECOMMANDNOTFOUND', { command: file, install: options.install });
  }
  const out = {
    exitCode: outcome.exitCode ?? -1,
    stdout: redactor.redact(outcome.stdout),
    stderr: redactor.redact(outcome.stderr),
  };
  if (out.exitCode !== 0 && options.reject !== false) {
    const all = redactor.redact(outcome.all || (outcome.spawnError?.message ?? ''));
    throw stackError('ECOMMANDFAILED', {
      command: redactor.redact([file, ...args].join(' ')),
      exitCode: stopReason(outcome, options) ?? out.exitCode,
      output: all.length > OUTPUT_TAIL ? `…${all.slice(-OUTPUT_TAIL)}` : all,
    });
  }
  return out;
}

function stopReason(outcome: ChildOutcome, options: ExecOptions): string | undefined {
  if (outcome.stopped === 'timeout') return `timeout after ${options.timeoutMs} ms`;
  if (outcome.stopped === 'output limit') return `-1 (stopped: output over ${MAX_OUTPUT_BYTES} bytes)`;
  return undefined;
}

/** Rejects a user value that a command could mistake for an option. */
export function isOptionLike(value: string): boolean {
  return value.startsWith('-');
}
