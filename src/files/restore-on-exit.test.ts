import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunning, waitFor } from '../../test/helpers/processes.js';
import { startParent } from '../../test/helpers/signals.js';

// Odd bytes on purpose: a BOM, CRLF, a multi-byte character, no final newline.
const ORIGINAL = Buffer.from('\uFEFF{\r\n  "version": "1.4.0.dev0",\r\n  "name": "café"\r\n}', 'utf8');

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'srs-restore-'));
  file = path.join(dir, 'pkg_info.json');
  await writeFile(file, ORIGINAL);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The parent (test/fixtures/signals/parent.mjs) guards `file`, rewrites it, runs `sleep`. */
describe('restoreOnExit', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'puts the bytes back when the process dies of %s, and removes its cut-short temp file',
    async (signal) => {
      const parent = await startParent([`--guard=${file}`], dir);
      expect(await readFile(file, 'utf8')).toBe('changed\n');
      expect(await readdir(dir)).toHaveLength(2);
      process.kill(parent.pid, signal);
      expect(await parent.exited, parent.output()).toEqual({ code: null, signal });
      expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
      expect(await readdir(dir)).toEqual(['pkg_info.json']);
      expect(parent.output()).toContain(
        `Restored pkg_info.json to its content before the release (${signal}).`,
      );
      expect(await waitFor(() => !isRunning(parent.sleep), 5000)).toBe(true);
    },
  );

  it("puts the bytes back when the parent's own signal listener ends the process", async () => {
    const parent = await startParent(['--listener', `--guard=${file}`], dir);
    process.kill(parent.pid, 'SIGTERM');
    expect(await parent.exited, parent.output()).toEqual({ code: 99, signal: null });
    expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
  });

  it('leaves the file alone once stopped (prepare done)', async () => {
    const parent = await startParent([`--guard=${file}`, '--released'], dir);
    process.kill(parent.pid, 'SIGTERM');
    expect(await parent.exited, parent.output()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await readFile(file, 'utf8')).toBe('changed\n');
    expect(parent.output()).not.toContain('Restored');
  });
});
