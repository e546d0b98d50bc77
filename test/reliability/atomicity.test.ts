/**
 * RELIABILITY 9 — interrupted writes. prepare's file writes (the built applyEdits: validate all, then
 * one temp-file + fsync + rename per file) run in a child process that is SIGKILLed at random points,
 * many times. Afterwards every version file is wholly the old or wholly the new text, never torn or
 * empty; the temporary files a killed writer leaves are recognisable by name and removed by the next
 * write, so @semantic-release/git (which stages untracked files its globs match, dot files included)
 * never commits one. And a prepare whose build fails puts back the files it changed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { applyEdits, checkEdits, type VersionEdit } from '../../src/files/index.js';
import { parseTempName, writeFileAtomic } from '../../src/files/atomic-write.js';
import { KINDS } from '../../src/kinds/index.js';
import { recordingLogger, srContext } from '../helpers/contexts.js';
import { commit, createRepo, type TestRepo } from '../helpers/git.js';
import { PROJECT_ROOT } from '../helpers/semantic-release.js';
import { listTree, requireDist } from './support.js';

const WRITER = path.join(PROJECT_ROOT, 'test/reliability/fixtures/write-loop.mjs');
const DIST = path.join(PROJECT_ROOT, 'dist');

// Big files make each write long enough for kills to land inside it, not only between writes.
const PADDING = 'x'.repeat(256 * 1024);
const FILES: Record<string, string> = {
  'osvimdriver/pkg_info.json': `{\n  "version": "0.1.0",\n  "padding": "${PADDING}"\n}\n`,
  'helm/chart/Chart.yaml': `apiVersion: v2\nname: chart\n# ${PADDING}\nversion: 0.1.0\nappVersion: "0.1.0"\n`,
  'helm/chart/values.yaml': `docker:\n  # ${PADDING}\n  version: 0.1.0\n`,
  'pyproject.toml': `[project]\nname = "demo"\n# ${PADDING}\nversion = "0.1.0"\n`,
  'setup.cfg': `[metadata]\nname = demo\n# ${PADDING}\nversion = 0.1.0\n`,
  'pkg/_version.py': `# ${PADDING}\n__version__ = "0.1.0"\n`,
};

function edits(pep440: string, chart: string): VersionEdit[] {
  return [
    { path: 'osvimdriver/pkg_info.json', value: pep440, option: 'python.versionFiles[0]' },
    { path: 'pyproject.toml', value: pep440, option: 'python.versionFiles[1]' },
    { path: 'setup.cfg', value: pep440, option: 'python.versionFiles[2]' },
    { path: 'pkg/_version.py', value: pep440, option: 'python.versionFiles[3]' },
    { path: 'helm/chart/Chart.yaml', key: 'version', value: chart, option: 'helm.chart' },
    { path: 'helm/chart/Chart.yaml', key: 'appVersion', value: pep440, option: 'helm.chart' },
    { path: 'helm/chart/values.yaml', key: 'docker.version', value: pep440, option: 'helm.imageTagKey' },
  ];
}

const OLD = edits('1.4.0', '1.4.0');
const NEW = edits('1.5.0.dev0', '1.5.0-dev.0');

let root: string;
beforeAll(async () => {
  requireDist();
  root = await mkdtemp(path.join(tmpdir(), 'srs-atomic-'));
  for (const [rel, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The whole text of every file after `set`, computed without writing. */
async function textsAfter(set: VersionEdit[]): Promise<Map<string, string>> {
  const { checked, errors } = await checkEdits(root, set);
  expect(errors).toEqual([]);
  const texts = new Map<string, string>();
  for (const edit of checked) texts.set(edit.path, edit.newText);
  return texts;
}

/** Starts the writer, waits for `ready`, lets it write for `ms`, then SIGKILLs it. */
async function killWriterAfter(spec: string, ms: number): Promise<void> {
  const child = spawn(process.execPath, [WRITER, DIST, spec], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error(`the writer exited before it was killed:\n${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, ms));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe('version files under SIGKILL', () => {
  it('are always wholly old or wholly new, and a stale temp file is removed by the next write', async () => {
    await applyEdits(root, OLD);
    const expected = { old: await textsAfter(OLD), new: await textsAfter(NEW) };
    const spec = path.join(path.dirname(root), `${path.basename(root)}-spec.json`);
    await writeFile(spec, JSON.stringify({ root, sets: [NEW, OLD] }));
    const seen = { old: 0, new: 0, temps: 0, kills: 0 };
    const deadline = Date.now() + 25_000;
    try {
      for (let i = 0; i < 60 && Date.now() < deadline; i++) {
        await killWriterAfter(spec, Math.floor(Math.random() * 400));
        seen.kills++;
        for (const rel of expected.old.keys()) {
          const text = await readFile(path.join(root, rel), 'utf8');
          expect(text.length, rel).toBeGreaterThan(0);
          if (text === expected.old.get(rel)) seen.old++;
          else if (text === expected.new.get(rel)) seen.new++;
          else expect.fail(`${rel} is torn after kill ${i}: ${text.length} bytes`);
        }
        for (const file of await listTree(root)) {
          const base = path.basename(file);
          if (FILES[file] !== undefined) continue;
          // Whatever else is there is a writer's temp file, named after the file it was for.
          const temp = parseTempName(base);
          expect(temp, file).toBeDefined();
          expect(Object.keys(FILES)).toContain(path.posix.join(path.posix.dirname(file), temp!.target));
          seen.temps++;
        }
      }
    } finally {
      await rm(spec, { force: true });
    }
    expect(seen.kills).toBeGreaterThanOrEqual(20);
    // The kills landed on both sides of the writes (not all before the first one).
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);

    // The next run writes every file once: no temp file of a dead writer survives it.
    await applyEdits(root, NEW);
    await applyEdits(root, OLD);
    expect(await listTree(root)).toEqual(Object.keys(FILES).sort());
    for (const [rel, text] of expected.old) expect(await readFile(path.join(root, rel), 'utf8')).toBe(text);
    // How often a kill caught a write between open and rename (informational: timing decides it).
    console.log(`atomicity: ${seen.kills} kills, ${seen.temps} temp file(s) seen`);
  });
});

describe('temp files of writers', () => {
  it("of a dead writer are removed by the next write of the same file; a live writer's stay", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-temps-'));
    try {
      const target = path.join(dir, 'pkg_info.json');
      await writeFile(target, '{"version": "0.1.0"}\n');
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const stale = `.pkg_info.json.srs-${dead}-0123456789ab.tmp`;
      const live = `.pkg_info.json.srs-${process.ppid}-0123456789ab.tmp`;
      const other = `.values.yaml.srs-${dead}-0123456789ab.tmp`;
      for (const name of [stale, live, other]) await writeFile(path.join(dir, name), 'half a file');
      expect(parseTempName(stale)).toEqual({ target: 'pkg_info.json', pid: dead });
      await writeFileAtomic(target, '{"version": "1.4.0"}\n');
      expect((await readdir(dir)).sort()).toEqual([live, other, 'pkg_info.json'].sort());
      expect(await readFile(target, 'utf8')).toBe('{"version": "1.4.0"}\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a prepare whose build fails', () => {
  let repo: TestRepo;
  afterAll(async () => {
    await repo?.cleanup();
  });

  it('restores every version file it changed (docs removed between verify and prepare)', async () => {
    repo = await createRepo({
      files: {
        '.gitignore': 'release-artifacts/\n',
        'docs/index.html': '<h1>docs</h1>\n',
        'osvimdriver/pkg_info.json': '{"version": "0.1.0", "ignition-version": "==0.1.0"}\n',
        'helm/os-vim-driver/Chart.yaml':
          '# chart\napiVersion: v2\nname: os-vim-driver\nversion: 0.1.0 # keep\nappVersion: "0.1.0"\n',
        'helm/os-vim-driver/values.yaml': 'docker:\n  version: 0.1.0 # tag\n',
      },
    });
    const gitHead = await commit(repo, 'feat: something');
    const config = {
      python: { build: false, versionFiles: ['osvimdriver/pkg_info.json'] },
      docs: { dir: 'docs', name: 'os-vim-driver' },
      helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
      devVersion: true,
    };
    const plugin = createPlugin(KINDS as never, 'composite');
    const logger = recordingLogger();
    const context = srContext({ root: repo.dir, logger, version: '1.4.0', gitHead });
    await plugin.verifyConditions(config, context);
    await plugin.verifyRelease(config, context);

    await rm(path.join(repo.dir, 'docs'), { recursive: true });
    const error = await plugin.prepare(config, context).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(error?.code).toBe('EDOCSMISSING');
    // The versions were written (the log says so) and then put back byte for byte.
    expect(logger.text()).toContain('Set osvimdriver/pkg_info.json version: 0.1.0 → 1.4.0');
    expect(await repo.git(['status', '--porcelain'])).toBe('D docs/index.html');
    expect(await readFile(path.join(repo.dir, 'helm/os-vim-driver/Chart.yaml'), 'utf8')).toContain(
      'version: 0.1.0 # keep\n',
    );
    const leftovers = (await readdir(path.join(repo.dir, 'osvimdriver'))).filter(
      (f) => f !== 'pkg_info.json',
    );
    expect(leftovers).toEqual([]);
  });
});
