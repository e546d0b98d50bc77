import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

/** Beyond this much output the child is stopped: a runaway command must not exhaust memory. */
export const MAX_OUTPUT_BYTES = 100_000_000;
/** How long a child stopped with SIGTERM gets before SIGKILL. */
const FORCE_KILL_MS = 5000;

export interface ChildRun {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment of the child; keys set to undefined are left out. */
  env: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  /**
   * Receives the complete lines (without their newlines) of each piece of stdout or stderr as it
   * arrives: a handful of calls per command, not one per line (each call may cost a log entry).
   */
  onLines?: (lines: string[]) => void;
}

export interface ChildOutcome {
  /** Undefined when the child was killed by a signal or never started. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  all: string;
  /** Set when this module stopped the child. */
  stopped?: 'timeout' | 'output limit';
  /** Set when the child could not be started (ENOENT: the command or the cwd is missing). */
  spawnError?: NodeJS.ErrnoException;
}

/** Children still running, killed if this process exits first (an orphaned `docker push` helps nobody). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackUntilClosed(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => running.forEach((c) => c.kill()));
  }
  running.add(child);
  child.once('close', () => running.delete(child));
}

/** Splits a byte stream into lines; the decoder keeps multi-byte characters split across chunks whole. */
function lineSplitter(onLines: (lines: string[]) => void): { write(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    write(chunk) {
      const lines = (pending + decoder.write(chunk)).split('\n');
      pending = lines.pop() ?? '';
      if (lines.length) onLines(lines);
    },
    end() {
      const rest = pending + decoder.end();
      if (rest) onLines([rest]);
    },
  };
}

/** Drops the one newline a command ends its output with (callers compare stdout to plain values). */
function withoutFinalNewline(text: string): string {
  if (!text.endsWith('\n')) return text;
  return text.slice(0, text.endsWith('\r\n') ? -2 : -1);
}

const decode = (chunks: Buffer[]): string => withoutFinalNewline(Buffer.concat(chunks).toString('utf8'));

/**
 * Runs one child process from an argv array (never a shell) and collects its output. Plain
 * `spawn` with 'data' listeners: it never rejects for the child's sake; the caller reads the outcome.
 */
export function runChild(run: ChildRun): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(run.file, run.args, {
        cwd: run.cwd,
        env: run.env,
        stdio: [run.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Arguments spawn refuses outright (a NUL byte in a value) fail like a child that never started.
      const spawnError = error as NodeJS.ErrnoException;
      resolve({ exitCode: undefined, stdout: '', stderr: '', all: '', spawnError });
      return;
    }
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], all: [] as Buffer[] };
    let size = 0;
    let stopped: ChildOutcome['stopped'];
    let forceKill: NodeJS.Timeout | undefined;
    const stop = (reason: NonNullable<ChildOutcome['stopped']>): void => {
      if (stopped) return;
      stopped = reason;
      child.kill('SIGTERM');
      forceKill = setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_MS);
    };
    const timer = run.timeoutMs ? setTimeout(() => stop('timeout'), run.timeoutMs) : undefined;

    for (const name of ['stdout', 'stderr'] as const) {
      const lines = run.onLines && lineSplitter(run.onLines);
      const stream = child[name];
      stream?.on('data', (chunk: Buffer) => {
        out[name].push(chunk);
        out.all.push(chunk);
        lines?.write(chunk);
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) stop('output limit');
      });
      if (lines) stream?.on('end', () => lines.end());
    }
    if (run.input !== undefined && child.stdin) {
      // A child that exits without reading its input (EPIPE) is judged by its exit code instead.
      child.stdin.on('error', () => {});
      child.stdin.end(run.input);
    }

    const finish = (exitCode: number | undefined, spawnError?: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      resolve({
        exitCode,
        stdout: decode(out.stdout),
        stderr: decode(out.stderr),
        all: decode(out.all),
        ...(stopped ? { stopped } : {}),
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Without a pid it never started, and no 'close' is guaranteed to follow.
      if (child.pid === undefined) finish(undefined, error);
    });
    child.on('close', (code: number | null) => finish(code ?? undefined));
    if (child.pid !== undefined) trackUntilClosed(child);
  });
}
