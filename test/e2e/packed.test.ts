/**
 * The package as users get it: `npm pack` of this checkout installed next to semantic-release in a
 * project of its own (what `npx -p semantic-release -p semantic-release-stack semantic-release`
 * sets up), run in a copy of examples/python-service whose committed .releaserc.json extends
 * `semantic-release-stack/preset` by name, exactly as the example ships it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, logOf, showFile, tagsOf, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo } from '../helpers/github-standin.js';
import { listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { semanticReleaseEnv } from '../helpers/semantic-release.js';
import {
  IMAGE_REPO,
  REGISTRY_AUTH,
  SLUG,
  exampleFiles,
  installPacked,
  localConfig,
  requireBuild,
} from './example.js';
import { expectGitHubRelease, expectImage } from './support.js';

/** Above the docs archive's in-thread limit (200 entries, src/kinds/docs/archive.ts). */
const GENERATED_PAGES = 250;

let root: string;
let installed: { project: string; semanticRelease: string };
let registry: Registry;
let standin: GitHubStandin;
let repo: TestRepo;
let dockerHost: string;

beforeAll(async () => {
  requireBuild();
  root = await mkdtemp(path.join(tmpdir(), 'srs-e2e-packed-'));
  [installed, { host: dockerHost }, registry] = await Promise.all([
    installPacked(root),
    ensureDocker(),
    startRegistry({ auth: REGISTRY_AUTH }),
  ]);
  standin = new GitHubStandin({ repos: [SLUG] });
  await standin.start();
}, 300_000);

afterAll(async () => {
  await standin?.stop();
  await registry?.stop();
  await repo?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('semantic-release-stack installed from its npm tarball', { timeout: 300_000 }, () => {
  it('prints the renderings of a version with its CLI', async () => {
    const cli = path.join(installed.project, 'node_modules/.bin/semantic-release-stack');
    const { stdout } = await execa(cli, ['versions', '2.0.0-beta.3']);
    expect(JSON.parse(stdout)).toEqual({
      semver: '2.0.0-beta.3',
      pep440: '2.0.0b3',
      imageTag: '2.0.0-beta.3',
      chartVersion: '2.0.0-beta.3',
      appVersion: '2.0.0-beta.3',
      nextDev: null,
    });
  });

  it('releases the example with the preset it names, then writes the dev version', async () => {
    // The committed config: the example's own, pointed at the local services. Enough docs pages
    // that the archive is written by its worker thread, a module of its own in dist/.
    const files = await exampleFiles();
    for (let i = 0; i < GENERATED_PAGES; i++)
      files[`docs/reference/page-${String(i).padStart(3, '0')}.md`] = `# Page ${i}\n\n${'text '.repeat(i)}\n`;
    repo = await createRepo({ files, slug: SLUG });
    const config = await localConfig({ registry, repositoryUrl: linkRepo(repo, standin) });
    expect(config.extends).toBe('semantic-release-stack/preset');
    await commitAndPush(repo, 'feat: first release of the driver', {
      '.releaserc.json': `${JSON.stringify(config, null, 2)}\n`,
    });

    const result = await execa(process.execPath, [installed.semanticRelease], {
      cwd: repo.dir,
      env: semanticReleaseEnv(repo, {
        ...githubEnv(standin),
        DOCKER_HOST: dockerHost,
        DOCKER_REGISTRY_USER: REGISTRY_AUTH.user,
        DOCKER_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
        HOME: root,
      }),
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 300_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('Loaded plugin "prepare" from "semantic-release-stack"');
    expect(result.all).toContain('Release plan for v1.0.0 (1.0.0)');

    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(await showFile(repo.remote, 'v1.0.0', 'osvimdriver/pkg_info.json')).toBe(
      '{"version": "1.0.0", "ignition-version": "==0.1.0"}',
    );
    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    const { manifest } = expectGitHubRelease(standin, 'v1.0.0', {
      semver: '1.0.0',
      pep440: '1.0.0',
      prerelease: false,
    });
    await expectImage(registry, manifest, { imageTag: '1.0.0', pep440: '1.0.0', semver: '1.0.0' });
    expect((await listTags(registry, IMAGE_REPO, registry.auth)).sort()).toEqual(['1.0.0', 'latest']);

    const docs = path.join(repo.dir, 'release-artifacts', 'os-vim-driver-1.0.0-docs.tgz');
    const { stdout: listing } = await execa('tar', ['-tzf', docs]);
    const pages = listing.split('\n').filter((l) => l.startsWith('os-vim-driver-1.0.0-docs/reference/page-'));
    expect(pages).toHaveLength(GENERATED_PAGES);
  });
});
