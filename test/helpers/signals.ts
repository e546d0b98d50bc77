/**
 * The parent process of the signal tests (test/fixtures/signals/parent.mjs): the built `exec` running
 * `sleep 60`, optionally with a version-file guard. Start it, find its `sleep`, signal it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { descendants, waitFor, type ProcessInfo } from './processes.js';
import { PROJECT_ROOT } from './semantic-release.js';

const PARENT = path.join(PROJECT_ROOT, 'test/fixtures/signals/parent.mjs');
const DIST = path.join(PROJECT_ROOT, 'dist');

export interface Parent {
  pid: number;
  /** The `sleep` the parent's exec started. */
  sleep: ProcessInfo;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export async function startParent(flags: string[] = [], cwd = PROJECT_ROOT): Promise<Parent> {
  if (!existsSync(path.join(DIST, 'exec.js')))
    throw new Error(`${DIST}/exec.js is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [PARENT, DIST, ...flags], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const find = () => descendants(child.pid!).find((p) => p.comm === 'sleep');
  const started = await Promise.race([
    waitFor(() => output.includes('ready') && find() !== undefined, 10_000),
    exited,
  ]);
  if (started !== true) {
    child.kill('SIGKILL');
    throw new Error(`the parent did not start its sleep:\n${output}`);
  }
  return { pid: child.pid!, sleep: find()!, exited, output: () => output };
}
