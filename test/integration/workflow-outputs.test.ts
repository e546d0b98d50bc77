/**
 * What a release tells the rest of a GitHub Actions workflow, through the REAL semantic-release CLI:
 * the step outputs (GITHUB_OUTPUT, read back the way the runner reads them), the step summary
 * (GITHUB_STEP_SUMMARY) and release-artifacts/digests.txt. A full release builds the wheel (real
 * `python -m build`), the docs archive, the image (real dockerd) and the chart, and pushes the image
 * and the chart to a real registry, whose digests the outputs must name. A dry run writes
 * `released=false` and the planned version, and nothing else; a run with nothing to release writes
 * `released=false`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, tagsOf, type TestRepo } from '../helpers/git.js';
import { readOutputs } from '../helpers/github-actions.js';
import { getManifest, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../helpers/tools.js';
import { PLUGIN, VERSION_FILES, requireDist, serviceFiles } from '../reliability/support.js';

const IMAGE = 'acme/os-vim-driver';
const CHARTS = 'charts';
const WHEEL = 'os_vim_driver-1.0.0-py3-none-any.whl';
const SDIST = 'os-vim-driver-1.0.0.tar.gz';

let registry: Registry;
let dockerHost: string;
let scratch: string;
const repos: TestRepo[] = [];

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-workflow-outputs-'));
});
afterAll(async () => {
  // Only the tags: the layers below are the legacy builder's cache, which builds of other test files
  // running on the shared dockerd may be using at this moment.
  await docker(
    ['image', 'rm', '--no-prune', `${registry.host}/${IMAGE}:1.0.0`, `${registry.host}/${IMAGE}:latest`],
    {
      reject: false,
    },
  );
  await registry?.stop();
  await Promise.all(repos.map((r) => r.cleanup()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const config = (repo: TestRepo) => ({
  branches: ['main'],
  repositoryUrl: repo.remoteUrl,
  plugins: [
    '@semantic-release/commit-analyzer',
    '@semantic-release/release-notes-generator',
    [
      PLUGIN,
      {
        python: { versionFiles: ['osvimdriver/pkg_info.json'], interpreter: SYSTEM_PYTHON, isolation: false },
        docs: { dir: 'docs', name: 'os-vim-driver' },
        docker: { image: `${registry.host}/${IMAGE}` },
        helm: {
          chart: 'helm/os-vim-driver',
          imageTagKey: 'docker.version',
          oci: `oci://${registry.host}/${CHARTS}`,
        },
        devVersion: true,
      },
    ],
    ['@semantic-release/git', { assets: VERSION_FILES }],
  ],
});

/** A fresh pair of runner files per run, as each step of a job gets. */
async function actionsEnv(name: string) {
  const dir = await mkdtemp(path.join(scratch, `${name}-`));
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary.md') };
  const env = {
    DOCKER_HOST: dockerHost,
    HOME: scratch,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'acme/demo',
  };
  return { env, files };
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

describe('workflow outputs, step summary and digests.txt', () => {
  it('a dry run writes released=false and the planned version, and nothing else', async () => {
    const repo = await createRepo({ files: await serviceFiles() });
    repos.push(repo);
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const { env, files } = await actionsEnv('dry-run');
    const result = await runSemanticRelease(repo, { config: config(repo), env, dryRun: true });
    expect(result.code, result.output).toBe(0);
    expect(readOutputs(await readFile(files.output, 'utf8'))).toEqual({
      released: 'false',
      version: '1.0.0',
      tag: 'v1.0.0',
      pep440: '1.0.0',
    });
    expect(existsSync(files.summary)).toBe(false);
    expect(existsSync(path.join(repo.dir, 'release-artifacts'))).toBe(false);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });

  it('a release names every artifact with the digest the registry serves; then nothing to release is released=false', async () => {
    const repo = await createRepo({ files: await serviceFiles() });
    repos.push(repo);
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const { env, files } = await actionsEnv('release');
    const result = await runSemanticRelease(repo, { config: config(repo), env });
    expect(result.code, result.output).toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);

    const imageDigest = (await getManifest(registry, IMAGE, '1.0.0', { method: 'HEAD' })).digest;
    const chartDigest = (
      await getManifest(registry, `${CHARTS}/os-vim-driver`, '1.0.0', {
        method: 'HEAD',
        accept: 'application/vnd.oci.image.manifest.v1+json',
      })
    ).digest;
    expect(imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(chartDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const artifacts = path.join(repo.dir, 'release-artifacts');
    const raw = await readFile(files.output, 'utf8');
    // verifyConditions said false first; publish's true is the value the runner keeps
    expect(raw.indexOf('released=false')).toBeLessThan(raw.indexOf('released=true'));
    expect(readOutputs(raw)).toEqual({
      released: 'true',
      version: '1.0.0',
      tag: 'v1.0.0',
      pep440: '1.0.0',
      wheel: `release-artifacts/${WHEEL}`,
      'wheel-digest': `sha256:${await sha256(path.join(artifacts, WHEEL))}`,
      sdist: `release-artifacts/${SDIST}`,
      'sdist-digest': `sha256:${await sha256(path.join(artifacts, SDIST))}`,
      docs: 'release-artifacts/os-vim-driver-1.0.0-docs.tgz',
      'docs-digest': `sha256:${await sha256(path.join(artifacts, 'os-vim-driver-1.0.0-docs.tgz'))}`,
      chart: `oci://${registry.host}/${CHARTS}/os-vim-driver:1.0.0`,
      'chart-digest': chartDigest,
      image: `${registry.host}/${IMAGE}:1.0.0`,
      'image-digest': imageDigest,
    });

    // sha256sum format: the registry subjects by name, the chart file by file name
    const chartFile = await sha256(path.join(artifacts, 'os-vim-driver-1.0.0.tgz'));
    expect((await readFile(path.join(artifacts, 'digests.txt'), 'utf8')).split('\n').sort()).toEqual(
      [
        '',
        `${chartFile}  os-vim-driver-1.0.0.tgz`,
        `${imageDigest!.slice(7)}  ${registry.host}/${IMAGE}`,
        `${chartDigest!.slice(7)}  ${registry.host}/${CHARTS}/os-vim-driver`,
      ].sort(),
    );

    const summary = await readFile(files.summary, 'utf8');
    expect(summary).toContain('### Released v1.0.0');
    expect(summary).toContain(
      `| image | \`${registry.host}/${IMAGE}:1.0.0\`<br>also \`${registry.host}/${IMAGE}:latest\` | \`${imageDigest}\` |`,
    );
    expect(summary).toContain(
      `| chart | \`oci://${registry.host}/${CHARTS}/os-vim-driver:1.0.0\` | \`${chartDigest}\` |`,
    );
    expect(summary).toContain(
      '[GitHub release v1.0.0](https://github.example/acme/demo/releases/tag/v1.0.0)',
    );
    expect(summary.match(/### Released/g)).toHaveLength(1);

    // the dev-version commit is all that follows: nothing to release
    const next = await actionsEnv('nothing');
    const idle = await runSemanticRelease(repo, { config: config(repo), env: next.env });
    expect(idle.code, idle.output).toBe(0);
    expect(idle.output).toContain('no new version is released');
    expect(readOutputs(await readFile(next.files.output, 'utf8'))).toEqual({ released: 'false' });
    expect(existsSync(next.files.summary)).toBe(false);
  });
});
