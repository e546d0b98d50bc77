// The baseline of bench/exec.bench.ts: what `exec` did before it ran on execa (src/exec-child.ts,
// removed): node:child_process.spawn with plain 'data' listeners, line splitting with a
// StringDecoder, one logger call per piece of output, redaction of the captured output. Same call
// shape as the stack's exec(ctx, file, args, options); no exit hook, no timeout, no output limit.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

function lineSplitter(onLines) {
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

const decode = (chunks) =>
  Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');

export function plainExec(ctx, file, args, options = {}) {
  const { redactor, logger } = ctx;
  const onLines = options.quiet ? undefined : (lines) => logger.log('%s', redactor.redact(lines.join('\n')));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? ctx.cwd,
      env: { ...ctx.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = { stdout: [], stderr: [], all: [] };
    for (const name of ['stdout', 'stderr']) {
      const lines = onLines && lineSplitter(onLines);
      child[name].on('data', (chunk) => {
        out[name].push(chunk);
        out.all.push(chunk);
        lines?.write(chunk);
      });
      if (lines) child[name].on('end', () => lines.end());
    }
    if (options.input !== undefined) child.stdin.end(options.input);
    child.on('error', reject);
    child.on('close', (code) => {
      const result = {
        exitCode: code ?? -1,
        stdout: redactor.redact(decode(out.stdout)),
        stderr: redactor.redact(decode(out.stderr)),
      };
      if (result.exitCode !== 0) reject(new Error(`${file} failed: ${redactor.redact(decode(out.all))}`));
      else resolve(result);
    });
  });
}
