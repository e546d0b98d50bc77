import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning, waitFor } from '../test/helpers/processes.js';
import { startParent } from '../test/helpers/signals.js';
import { isStackError } from './errors.js';
import { exec, MAX_OUTPUT_BYTES, type ExecContext } from './exec.js';
import type { Logger } from './logger.js';
import { createRedactor, MASK } from './redact.js';

const NODE = process.execPath;
const SECRET = 'hunter2-very-secret';
const dir = mkdtempSync(path.join(os.tmpdir(), 'srs-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(): ExecContext & { lines: string[] } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => void lines.push(String(args.at(-1)));
  const logger: Logger = { log: record, warn: record, error: record, success: record };
  return {
    cwd: dir,
    env: { PATH: process.env.PATH, REGISTRY_PASSWORD: SECRET },
    logger,
    redactor: createRedactor({ REGISTRY_PASSWORD: SECRET }),
    lines,
  };
}

/** `node -e script`: a real child without a shell. */
const node = (ctx: ExecContext, script: string, options: Parameters<typeof exec>[3] = {}) =>
  exec(ctx, NODE, ['-e', script], options);

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error;
}

describe('exec', () => {
  it('returns exit code, stdout and stderr without their final newline', async () => {
    const result = await node(context(), 'console.log("out\\n"); console.error("err")');
    expect(result).toEqual({ exitCode: 0, stdout: 'out\n', stderr: 'err' });
  });

  it('logs every line of both streams, redacted, unless quiet', async () => {
    const ctx = context();
    const script = `process.stdout.write("a ${SECRET}\\nb"); process.stderr.write("c\\n")`;
    const result = await node(ctx, script);
    expect(result.stdout).toBe(`a ${MASK}\nb`);
    expect([...ctx.lines].sort()).toEqual([`a ${MASK}`, 'b', 'c']);
    const quiet = context();
    await node(quiet, script, { quiet: true });
    expect(quiet.lines).toEqual([]);
  });

  it('keeps a multi-byte character split across chunks whole in the log', async () => {
    const ctx = context();
    const script =
      'const b = Buffer.from("é\\n"); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 50)';
    await node(ctx, script);
    expect(ctx.lines).toEqual(['é']);
  });

  it('passes the context env merged with the options env, and nothing else', async () => {
    const ctx = context();
    const script = 'console.log(JSON.stringify([process.env.A, process.env.B, process.env.HOME]))';
    const { stdout } = await node({ ...ctx, env: { ...ctx.env, A: 'ctx', B: 'ctx' } }, script, {
      env: { B: 'option' },
    });
    expect(JSON.parse(stdout)).toEqual(['ctx', 'option', null]);
  });

  it('writes input to stdin', async () => {
    const script = 'process.stdin.on("data", (d) => process.stdout.write(String(d).toUpperCase()))';
    expect((await node(context(), script, { input: 'secret-free' })).stdout).toBe('SECRET-FREE');
  });

  it('throws ECOMMANDFAILED with the redacted output, or returns it when reject is false', async () => {
    const script = `console.log("token ${SECRET}"); process.exit(3)`;
    const error = await failure(node(context(), script, { quiet: true }));
    expect(isStackError(error) && error.code).toBe('ECOMMANDFAILED');
    expect(error.message).toContain('exit code 3');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error & { details: string }).details).toContain(`token ${MASK}`);
    const result = await node(context(), script, { quiet: true, reject: false });
    expect(result).toEqual({ exitCode: 3, stdout: `token ${MASK}`, stderr: '' });
  });

  it('throws ECOMMANDNOTFOUND with the install hint when the command is missing', async () => {
    const error = await failure(exec(context(), 'srs-no-such-tool', [], { install: 'apt-get install x' }));
    expect(isStackError(error) && error.code).toBe('ECOMMANDNOTFOUND');
    expect((error as Error & { details: string }).details).toContain('apt-get install x');
  });

  it('reports an argument spawn refuses (a NUL byte) as ECOMMANDFAILED', async () => {
    const error = await failure(exec(context(), NODE, ['-e', 'a\0b'], { quiet: true }));
    expect(isStackError(error) && error.code).toBe('ECOMMANDFAILED');
  });

  it('stops a child that outlives timeoutMs', async () => {
    const started = Date.now();
    const error = await failure(node(context(), 'setTimeout(() => {}, 60000)', { timeoutMs: 300 }));
    expect(error.message).toContain('timeout after 300 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
    const result = await node(context(), 'setTimeout(() => {}, 60000)', { timeoutMs: 300, reject: false });
    expect(result.exitCode).toBe(-1);
  });

  it('stops a runaway command past MAX_OUTPUT_BYTES, also one that ignores the broken pipe', async () => {
    // Writes 1 MB pieces forever and shrugs off EPIPE once its output is no longer read.
    const script =
      'process.stdout.on("error", () => {}); const b = "y".repeat(2 ** 20) + "\\n"; const w = () => process.stdout.write(b, w); w()';
    const started = Date.now();
    const error = await failure(node(context(), script, { quiet: true }));
    expect(isStackError(error) && error.code).toBe('ECOMMANDFAILED');
    expect(error.message).toContain(`stopped: output over ${MAX_OUTPUT_BYTES} bytes`);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('names the signal that killed a command', async () => {
    const error = await failure(node(context(), 'process.kill(process.pid, "SIGKILL")', { quiet: true }));
    expect(error.message).toContain('exit code -1 (killed by SIGKILL)');
  });
});

describe('exec when the process running it is killed', () => {
  // The parent is a plain Node process running the built exec of `sleep 60` (test/fixtures/signals).
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'kills the child when the parent dies of %s, and the parent still dies of that signal',
    async (signal) => {
      const parent = await startParent();
      process.kill(parent.pid, signal);
      expect(await parent.exited, parent.output()).toEqual({ code: null, signal });
      expect(await waitFor(() => !isRunning(parent.sleep), 5000)).toBe(true);
    },
  );

  it("kills the child when the parent's own signal listener ends the process", async () => {
    // signal-exit leaves a signal that has other listeners to them; their process.exit still
    // runs execa's cleanup.
    const parent = await startParent(['--listener']);
    process.kill(parent.pid, 'SIGTERM');
    expect(await parent.exited, parent.output()).toEqual({ code: 99, signal: null });
    expect(await waitFor(() => !isRunning(parent.sleep), 5000)).toBe(true);
  });
});
