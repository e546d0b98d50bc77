import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackError } from './errors.js';
import { buildDocsArchive as inThread } from './archive.js';

/**
 * The worker path, through the compiled dist/: under vitest the src/*.ts modules have no compiled
 * worker beside them and always archive on their own thread (archive.test.ts covers that path).
 */
type Archive = typeof import('./archive.js');
const DIST = fileURLToPath(new URL('../../../dist/kinds/docs/', import.meta.url));

let dist: Archive;
let tmp: string;
beforeAll(async () => {
  if (!existsSync(join(DIST, 'archive-worker.js'))) {
    throw new Error(`${DIST}archive-worker.js is missing: run \`npm run build\` before these tests`);
  }
  dist = (await import(join(DIST, 'archive.js'))) as Archive;
  tmp = await mkdtemp(join(tmpdir(), 'docs-archive-worker-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const TOP = 'os-vim-driver-1.4.0-docs';
const MTIME = 1_700_000_000;

async function put(file: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** More entries than the in-thread limit (200), so dist/ hands the tree to its worker. */
async function bigTree(name: string): Promise<{ root: string; dir: string }> {
  const root = join(tmp, name);
  const dir = join(root, 'docs');
  for (let i = 0; i < 300; i++) {
    await put(join(dir, `s${i % 7}`, `p-${i}.html`), `<p>page ${i}</p>\n`.repeat(i));
  }
  return { root, dir };
}

/** Runs `build` and returns the workers started meanwhile, with its outcome. */
async function watchingWorkers<T>(
  build: () => Promise<T>,
): Promise<{ workers: Worker[]; outcome: T | Error }> {
  const workers: Worker[] = [];
  const onWorker = (message: unknown): void => void workers.push((message as { worker: Worker }).worker);
  subscribe('worker_threads', onWorker);
  try {
    return { workers, outcome: await build().catch((error: Error) => error) };
  } finally {
    unsubscribe('worker_threads', onWorker);
  }
}

/** A SemanticReleaseError the way stackError() builds it, compared field by field. */
function expectStackError(actual: unknown, expected: Error & { code: string; details: string }): void {
  expect(actual).toBeInstanceOf(Error);
  const error = actual as typeof expected & { semanticRelease: unknown };
  expect({ ...error, message: error.message, name: error.name, stack: error.stack }).toEqual({
    code: expected.code,
    details: expected.details,
    semanticRelease: true,
    message: expected.message,
    name: 'SemanticReleaseError',
    stack: `SemanticReleaseError: ${expected.message}`,
  });
}

describe('buildDocsArchive as compiled (dist/)', () => {
  it('writes the same bytes as the in-thread build', async () => {
    const { root, dir } = await bigTree('same');
    await put(join(dir, 'big/noise.bin'), randomBytes(600_000)); // read in pieces, several blocks
    await put(join(dir, 'ünïcødé-文.txt'), 'utf8');
    await put(join(dir, `${'l'.repeat(70)}/${'m'.repeat(70)}.html`), 'long path: PAX');
    await chmod(join(dir, 's0/p-0.html'), 0o755);
    await symlink('s1/p-1.html', join(dir, 'latest.html'));
    await mkdir(join(dir, 'empty'));
    const input = { root, dir, topFolder: TOP, mtime: MTIME };
    const here = await inThread({ ...input, outFile: join(root, 'out/here.tgz') });
    const { workers, outcome } = await watchingWorkers(() =>
      dist.buildDocsArchive({ ...input, outFile: join(root, 'out/worker.tgz') }),
    );
    expect(workers).toHaveLength(1);
    expect(workers[0]!.threadId).toBe(-1); // exited
    expect(outcome).toEqual({ ...here, path: join(root, 'out/worker.tgz') });
    expect((await readFile(join(root, 'out/worker.tgz'))).equals(await readFile(here.path))).toBe(true);
    expect(await readdir(join(root, 'out'))).toEqual(['here.tgz', 'worker.tgz']);
  });

  it("archives a small tree on the caller's thread, and a few big files on the worker", async () => {
    const root = join(tmp, 'small');
    const dir = join(root, 'docs');
    await put(join(dir, 'index.html'), '<h1>docs</h1>\n');
    await put(join(dir, 'guides/install.md'), '# Install\n');
    const build = (name: string) => () =>
      dist.buildDocsArchive({ root, dir, topFolder: TOP, outFile: join(root, name), mtime: MTIME });
    const small = await watchingWorkers(build('small.tgz'));
    expect(small.workers).toHaveLength(0);
    const here = await inThread({ root, dir, topFolder: TOP, outFile: join(root, 'here.tgz'), mtime: MTIME });
    expect(small.outcome).toMatchObject({ sha256: here.sha256, entries: 4 });
    await put(join(dir, 'video.bin'), Buffer.alloc(5 << 20)); // over the in-thread limit of 4 MiB
    const big = await watchingWorkers(build('big.tgz'));
    expect(big.workers).toHaveLength(1);
    expect(big.outcome).toMatchObject({ entries: 5 });
  });

  it('passes a stack error of the scan through with code, message and details', async () => {
    const root = join(tmp, 'empty');
    for (let i = 0; i < 250; i++) await mkdir(join(root, 'docs', `d${i}`), { recursive: true });
    const outFile = join(root, 'out/x.tgz');
    const { workers, outcome } = await watchingWorkers(() =>
      dist.buildDocsArchive({ root, dir: join(root, 'docs'), topFolder: TOP, outFile, mtime: MTIME }),
    );
    expect(workers).toHaveLength(1);
    expectStackError(outcome, stackError('EDOCSEMPTY', { path: 'docs', excluded: false }));
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  it('passes several scan errors through as one AggregateError', async () => {
    const { root, dir } = await bigTree('links');
    await symlink('/etc/passwd', join(dir, 'abs'));
    await symlink('../../outside.txt', join(dir, 's0/out'));
    const outFile = join(root, 'x.tgz');
    const { workers, outcome } = await watchingWorkers(() =>
      dist.buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME }),
    );
    expect(workers).toHaveLength(1);
    expect(outcome).toBeInstanceOf(AggregateError);
    const { errors, message } = outcome as AggregateError;
    const expected = [
      stackError('EDOCSLINKOUT', { path: 'docs/abs', target: '/etc/passwd', reason: 'is absolute' }),
      stackError('EDOCSLINKOUT', {
        path: 'docs/s0/out',
        target: '../../outside.txt',
        reason: 'points outside the docs directory',
      }),
    ];
    // In the order the walk met them, which is the file system's.
    const sorted = [...(errors as Error[])].sort((a, b) => a.message.localeCompare(b.message));
    expect(sorted).toHaveLength(2);
    sorted.forEach((error, i) => expectStackError(error, expected[i]!));
    expect(message).toBe((errors as Error[]).map((e) => e.message).join('\n'));
    expect(await readdir(root)).toEqual(['docs']);
  });

  it('fails mid-archive on a file swapped for a FIFO: EDOCSARCHIVE, no temp file left', async () => {
    const { root, dir } = await bigTree('swap');
    // Sorted first and slow to compress: the swap below happens while the worker is busy with it.
    await put(join(dir, 'a-noise.bin'), randomBytes(24 << 20));
    await put(join(dir, 'zz-last.html'), 'last');
    const out = join(root, 'out');
    const outFile = join(out, 'x.tgz');
    const { workers, outcome } = await watchingWorkers(async () => {
      const building = dist.buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME });
      // The worker creates the temp file before its first entry.
      while (!(await readdir(out).catch(() => [])).some((f) => f.endsWith('.tmp'))) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await rm(join(dir, 'zz-last.html'));
      execFileSync('mkfifo', [join(dir, 'zz-last.html')]);
      return building;
    });
    expect(workers).toHaveLength(1);
    expect(workers[0]!.threadId).toBe(-1);
    expectStackError(
      outcome,
      // named by its path in the repository
      stackError('EDOCSARCHIVE', { path: 'out/x.tgz', reason: 'zz-last.html is no longer a regular file' }),
    );
    expect(await readdir(out)).toEqual([]);
  });
});
