/**
 * What the integration tests share: the built composite plugin, a test repository per test, and a
 * repository holding an image (FROM scratch) and a chart with a real registry and the shared dockerd.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import { createRepo, type TestRepo } from '../helpers/git.js';
import { startRegistry, type BasicAuth, type Registry } from '../helpers/registry.js';
import { PROJECT_ROOT } from '../helpers/semantic-release.js';

/** The composite plugin as the package ships it (`npm run build`). */
export const PLUGIN = path.join(PROJECT_ROOT, 'dist/index.js');

export function requirePlugin(): void {
  if (!existsSync(PLUGIN)) throw new Error(`${PLUGIN} is missing: run \`npm run build\` first`);
}

/** A fresh repository per test, removed after it: `repos.use(await createRepo(…))`. */
export function repoPerTest(): { use(repo: TestRepo): TestRepo } {
  let current: TestRepo | undefined;
  beforeAll(requirePlugin);
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return { use: (repo) => (current = repo) };
}

/** A service with an image to build (`docker/`, no wheel) and a chart (`helm/app`). */
export const IMAGE_AND_CHART = {
  '.gitignore': 'release-artifacts/\n',
  'docker/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
  'docker/hello.txt': 'hello\n',
  'helm/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 0.1.0\n',
  'helm/app/values.yaml': 'image:\n  tag: 0.1.0\n',
};

export interface ImageAndChart {
  registry: Registry;
  repo: TestRepo;
  home: string;
  dockerHost: string;
  /** `<registry>/acme/app`, the image the tests release. */
  image: string;
  /** The env a release needs: the daemon, the registry's credentials, a HOME of its own. */
  env: Record<string, string>;
  /** The image's references in the daemon (other test files share it). */
  localImages(): Promise<string[]>;
  /**
   * A release configuration for branches `main` and `next` (channel `next`): the commit analyzer,
   * the notes, the composite with `stack`, and @semantic-release/git committing the chart's files.
   */
  config(stack: Record<string, unknown>): Record<string, unknown>;
}

/** The repository, a registry with `auth`, and the daemon, for the tests of one file. */
export function imageAndChart(label: string, auth: BasicAuth): ImageAndChart {
  const fixture = {} as ImageAndChart;
  beforeAll(async () => {
    requirePlugin();
    fixture.dockerHost = (await ensureDocker()).host;
    fixture.registry = await startRegistry({ auth });
    fixture.repo = await createRepo({ files: IMAGE_AND_CHART });
    fixture.home = await mkdtemp(path.join(tmpdir(), `srs-${label}-home-`));
    fixture.image = `${fixture.registry.host}/acme/app`;
    fixture.env = {
      DOCKER_HOST: fixture.dockerHost,
      DOCKER_REGISTRY_USER: auth.user,
      DOCKER_REGISTRY_PASSWORD: auth.password,
      HOME: fixture.home,
    };
    fixture.config = (stack) => ({
      branches: ['main', { name: 'next', channel: 'next' }],
      repositoryUrl: fixture.repo.remoteUrl,
      plugins: [
        '@semantic-release/commit-analyzer',
        '@semantic-release/release-notes-generator',
        [PLUGIN, stack],
        ['@semantic-release/git', { assets: ['helm/app/Chart.yaml', 'helm/app/values.yaml'] }],
      ],
    });
    fixture.localImages = async () => {
      const format = '{{.Repository}}:{{.Tag}}';
      const filter = `reference=${fixture.image}`;
      const { stdout } = await docker(['image', 'ls', '--filter', filter, '--format', format]);
      return stdout.split('\n').filter(Boolean).sort();
    };
  });
  afterAll(async () => {
    const refs = fixture.registry ? await fixture.localImages() : [];
    if (refs.length) await docker(['image', 'rm', '--force', ...refs], { reject: false });
    await fixture.registry?.stop();
    await fixture.repo?.cleanup();
    if (fixture.home) await rm(fixture.home, { recursive: true, force: true });
  });
  return fixture;
}
