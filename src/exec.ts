import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { execa, type Result } from 'execa';
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

/** Beyond this much output (both streams together) the child is stopped: a runaway command must not exhaust memory. */
export const MAX_OUTPUT_BYTES = 100_000_000;
const OUTPUT_TAIL = 8000;

/**
 * The only way this package starts a child process: execa with an argv array, never a shell. Output
 * is redacted, streamed to the context's logger in whole lines, and kept for the error if it fails.
 * execa's `cleanup` kills the child when this process exits or dies of SIGINT, SIGTERM or SIGHUP
 * (a cancelled CI job), so no `docker push` runs on as an orphan.
 */
export async function exec(
  ctx: ExecContext,
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { redactor, logger } = ctx;
  const command = () => redactor.redact([file, ...args].join(' '));
  let child;
  try {
    child = execa(file, args, {
      cwd: options.cwd ?? ctx.cwd,
      env: { ...ctx.env, ...options.env },
      extendEnv: false,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
      reject: false,
      timeout: options.timeoutMs,
      maxBuffer: MAX_OUTPUT_BYTES,
      cleanup: true,
    });
  } catch (error) {
    // Arguments execa refuses outright (a NUL byte in a value) fail like a child that never started.
    throw stackError('ECOMMANDFAILED', {
      command: command(),
      output: redactor.redact((error as Error).message),
    });
  }
  // One log entry per piece of output: signale formats every entry, so per line it cost a build
  // with a few hundred lines of output tens of milliseconds of CPU.
  const onLines = options.quiet
    ? undefined
    : (lines: string[]) => logger.log('%s', redactor.redact(lines.join('\n')));
  const output = watchOutput([child.stdout, child.stderr], onLines, () => child.kill());
  const result = await child;
  if (result.code === 'ENOENT') {
    throw stackError('ECOMMANDNOTFOUND', { command: file, install: options.install });
  }
  const out = {
    // A child stopped for its output may have exited 0 all the same: its output is incomplete.
    exitCode: result.exitCode === 0 && result.failed ? -1 : (result.exitCode ?? -1),
    stdout: redactor.redact(String(result.stdout ?? '')),
    stderr: redactor.redact(String(result.stderr ?? '')),
  };
  if ((result.failed || out.exitCode !== 0) && options.reject !== false) {
    const all = redactor.redact(output.all() || result.originalMessage || result.shortMessage || '');
    throw stackError('ECOMMANDFAILED', {
      command: command(),
      exitCode: stopReason(result, output.exceeded, options) ?? out.exitCode,
      output: all.length > OUTPUT_TAIL ? `…${all.slice(-OUTPUT_TAIL)}` : all,
    });
  }
  return out;
}

function stopReason(result: Result, overLimit: boolean, options: ExecOptions): string | undefined {
  if (result.timedOut) return `timeout after ${options.timeoutMs} ms`;
  if (overLimit || result.isMaxBuffer) return `-1 (stopped: output over ${MAX_OUTPUT_BYTES} bytes)`;
  if (result.signal) return `-1 (killed by ${result.signal})`;
  return undefined;
}

/**
 * Hands the complete lines of each piece of output to `onLines` as it arrives (the decoder keeps
 * multi-byte characters split across chunks whole), keeps both streams interleaved for the error
 * (cheaper than execa's `all`, which merges the streams through another one), and stops the child
 * once they pass MAX_OUTPUT_BYTES together: execa's maxBuffer only stops reading, and a command
 * that ignores the broken pipe would run on.
 */
function watchOutput(
  streams: ReadonlyArray<Readable | null>,
  onLines: ((lines: string[]) => void) | undefined,
  stop: () => void,
): { readonly exceeded: boolean; all(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  let exceeded = false;
  for (const stream of streams) {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        if (!exceeded) stop();
        exceeded = true;
        return;
      }
      chunks.push(chunk);
      if (!onLines) return;
      const lines = (pending + decoder.write(chunk)).split('\n');
      pending = lines.pop() ?? '';
      if (lines.length) onLines(lines);
    });
    stream?.once('end', () => {
      const rest = pending + decoder.end();
      if (rest && onLines) onLines([rest]);
    });
  }
  return {
    get exceeded() {
      return exceeded;
    },
    all: () =>
      Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, ''),
  };
}

/** Rejects a user value that a command could mistake for an option. */
export function isOptionLike(value: string): boolean {
  return value.startsWith('-');
}
