import { execa } from 'execa';
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
 * redacted, streamed to the context's logger line by line, and kept for the error if it fails.
 */
export async function exec(
  ctx: ExecContext,
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { redactor, logger } = ctx;
  const display = redactor.redact([file, ...args].join(' '));
  const child = execa(file, args, {
    cwd: options.cwd ?? ctx.cwd,
    env: { ...ctx.env, ...options.env } as Record<string, string>,
    extendEnv: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    all: true,
    reject: false,
    stripFinalNewline: true,
    timeout: options.timeoutMs,
    lines: false,
  });
  if (!options.quiet) {
    let pending = '';
    child.all?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) logger.log('%s', redactor.redact(line));
    });
    child.all?.on('end', () => {
      if (pending) logger.log('%s', redactor.redact(pending));
    });
  }
  const result = await child;
  const failure = result as typeof result & { code?: string; originalMessage?: string };
  if (failure.code === 'ENOENT' || /ENOENT/.test(failure.originalMessage ?? '')) {
    throw stackError('ECOMMANDNOTFOUND', { command: file, install: options.install });
  }
  const out = {
    exitCode: result.exitCode ?? -1,
    stdout: redactor.redact(String(result.stdout ?? '')),
    stderr: redactor.redact(String(result.stderr ?? '')),
  };
  if (out.exitCode !== 0 && options.reject !== false) {
    const all = redactor.redact(String(result.all ?? ''));
    throw stackError('ECOMMANDFAILED', {
      command: display,
      exitCode: result.timedOut ? `timeout after ${options.timeoutMs} ms` : out.exitCode,
      output: all.length > OUTPUT_TAIL ? `…${all.slice(-OUTPUT_TAIL)}` : all,
    });
  }
  return out;
}

/** Rejects a user value that a command could mistake for an option. */
export function isOptionLike(value: string): boolean {
  return value.startsWith('-');
}
