/**
 * A cancelled CI job: the real semantic-release CLI gets SIGTERM while the stack's `docker build`
 * runs a slow RUN step (the legacy builder of docker CLI 28 against the tests' daemon). Five seconds
 * later nothing the release started is alive — no process descending from semantic-release, not the
 * docker CLI, not the RUN step's container — the version files prepare had written hold their bytes
 * from before the release again, and semantic-release died of the signal (a shell sees 143).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, type TestRepo } from '../helpers/git.js';
import { descendants, isRunning, type ProcessInfo } from '../helpers/processes.js';
import {
  SEMANTIC_RELEASE_BIN,
  SEMANTIC_RELEASE_NODE,
  semanticReleaseEnv,
} from '../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule, requireTool } from '../helpers/tools.js';
import { PLUGIN, VERSION_FILES, requireDist, serviceFiles } from './support.js';

/** Every image and container of this run carries it (the label is inherited by the RUN step's container). */
const MARKER = `srs-cancel-${process.pid}-${Date.now()}`;
const IMAGE = `acme/${MARKER}`;
const DOCKERFILE = [
  'FROM scratch',
  `LABEL srs-test=${MARKER}`,
  'COPY busybox /bin/busybox',
  'COPY whls/ /whls/',
  'RUN ["/bin/busybox","sleep","60"]',
  '',
].join('\n');

let repo: TestRepo;
let dockerHost: string;
let cli: ChildProcess | undefined;
let stray: ProcessInfo[] = [];

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  const busybox = await requireTool('busybox', INSTALL_HINTS.busybox);
  ({ host: dockerHost } = await ensureDocker());
  const files = await serviceFiles();
  repo = await createRepo({
    files: {
      ...files,
      '.gitignore': `${files['.gitignore']}.releaserc.json\n`,
      'docker/Dockerfile': DOCKERFILE,
      'docker/busybox': await readFile(busybox),
    },
  });
  await chmod(path.join(repo.dir, 'docker/busybox'), 0o755);
});

afterAll(async () => {
  // Whatever survived a failed assertion must not outlive the test.
  if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
  for (const p of stray) if (isRunning(p)) process.kill(p.pid, 'SIGKILL');
  const containers = await docker(['ps', '-aq', '--filter', `label=srs-test=${MARKER}`], { reject: false });
  const ids = String(containers.stdout).split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids], { reject: false });
  // The build's intermediate images: a parent goes only once its children have, hence the rounds.
  for (let round = 0; round < 8; round++) {
    const images = await docker(['images', '-aq', '--filter', `label=srs-test=${MARKER}`], { reject: false });
    const ids = [...new Set(String(images.stdout).split('\n').filter(Boolean))];
    if (ids.length === 0) break;
    await docker(['rmi', '-f', ...ids], { reject: false });
  }
  await repo?.cleanup();
});

function releaseConfig() {
  return {
    branches: ['main'],
    repositoryUrl: repo.remoteUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      [
        PLUGIN,
        {
          python: {
            versionFiles: ['osvimdriver/pkg_info.json'],
            interpreter: SYSTEM_PYTHON,
            isolation: false,
            publish: false,
          },
          docker: { image: IMAGE, push: false },
          helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
        },
      ],
    ],
  };
}

/** The build's containers (they carry the image's labels): running ones, or all with `-a`. */
async function stepContainers(...flags: string[]): Promise<string[]> {
  const ps = await docker(['ps', '-q', ...flags, '--filter', `label=srs-test=${MARKER}`]);
  return String(ps.stdout).split('\n').filter(Boolean);
}

describe('a release cancelled with SIGTERM during docker build', () => {
  it('leaves no process or build container behind, restores the version files, and dies of the signal', async () => {
    await commitAndPush(repo, 'feat: a feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const before = new Map<string, Buffer>();
    for (const file of VERSION_FILES) before.set(file, await readFile(path.join(repo.dir, file)));
    await writeFile(path.join(repo.dir, '.releaserc.json'), JSON.stringify(releaseConfig()));

    cli = spawn(SEMANTIC_RELEASE_NODE, [SEMANTIC_RELEASE_BIN], {
      cwd: repo.dir,
      env: semanticReleaseEnv(repo, { DOCKER_HOST: dockerHost }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [cli.stdout!, cli.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      cli!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let ended = false;
    void exited.then(() => (ended = true));

    // Wait for the RUN step: its container up, the docker CLI that asked for it still waiting.
    let containers: string[] = [];
    const deadline = Date.now() + 180_000;
    while (!ended && Date.now() < deadline && containers.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      containers = await stepContainers();
    }
    expect(containers, `the RUN step never started:\n${output}`).toHaveLength(1);
    const started = descendants(cli.pid!);
    stray = started;
    const dockerCli = started.filter((p) => p.comm === 'docker' && p.cmdline.includes(' build '));
    expect(dockerCli, JSON.stringify(started)).toHaveLength(1);
    // prepare has written the release version by now.
    expect(await readFile(path.join(repo.dir, 'osvimdriver/pkg_info.json'), 'utf8')).toContain('1.0.0');

    const signalled = Date.now();
    cli.kill('SIGTERM');
    expect(await exited, output).toEqual({ code: null, signal: 'SIGTERM' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, signalled + 5000 - Date.now())));

    const alive = started.filter(isRunning);
    expect(alive, JSON.stringify(alive)).toEqual([]);
    // The legacy builder cancels a build whose client went away, and removes the step's container.
    expect(await stepContainers()).toEqual([]);
    expect(await stepContainers('-a')).toEqual([]);
    for (const [file, bytes] of before) {
      expect((await readFile(path.join(repo.dir, file))).equals(bytes), file).toBe(true);
    }
    expect(output).toContain(
      'Restored osvimdriver/pkg_info.json to its content before the release (SIGTERM).',
    );
  });
});
