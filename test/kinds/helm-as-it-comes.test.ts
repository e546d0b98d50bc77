/**
 * Charts as they come: Helm's own test chart (vendored, test/fixtures/helm-conformance/frobnitz) has
 * no `appVersion` and no `image.tag` in its values. Released through the REAL semantic-release CLI
 * with the standalone helm plugin and nothing but `{ "chart": "…" }`, it gets an appVersion (as
 * `helm package --app-version` gives it) written into Chart.yaml format-preserving, its values file
 * is left alone and the plan says so; the next dev version lands in the added key too. A key the user
 * did name that is missing stays an error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, logOf, showFile, tagsOf, type TestRepo } from '../helpers/git.js';
import { PROJECT_ROOT, runSemanticRelease } from '../helpers/semantic-release.js';

const HELM_PLUGIN = path.join(PROJECT_ROOT, 'dist/kinds/helm/plugin.js');
const DEV_PLUGIN = path.join(PROJECT_ROOT, 'dist/kinds/dev-version/plugin.js');
const FROBNITZ = path.join(PROJECT_ROOT, 'test/fixtures/helm-conformance/frobnitz');
const CHART = 'charts/frobnitz';

async function filesOf(dir: string, prefix: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    files[path.posix.join(prefix, path.relative(dir, abs).split(path.sep).join('/'))] = await readFile(abs);
  }
  return files;
}

const repos: TestRepo[] = [];
let chartYaml: string;
let valuesYaml: string;

async function frobnitzRepo(): Promise<TestRepo> {
  const repo = await createRepo({
    files: { '.gitignore': 'release-artifacts/\n', ...(await filesOf(FROBNITZ, CHART)) },
  });
  repos.push(repo);
  await commitAndPush(repo, 'feat: ship the chart', { 'NOTES.txt': 'one\n' });
  return repo;
}

const config = (repo: TestRepo, helm: Record<string, unknown> = { chart: CHART }) => ({
  branches: ['main'],
  repositoryUrl: repo.remoteUrl,
  plugins: [
    '@semantic-release/commit-analyzer',
    [HELM_PLUGIN, helm],
    [DEV_PLUGIN, {}],
    ['@semantic-release/git', { assets: [`${CHART}/Chart.yaml`, `${CHART}/values.yaml`] }],
  ],
});

beforeAll(async () => {
  for (const file of [HELM_PLUGIN, DEV_PLUGIN])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  chartYaml = await readFile(path.join(FROBNITZ, 'Chart.yaml'), 'utf8');
  valuesYaml = await readFile(path.join(FROBNITZ, 'values.yaml'), 'utf8');
  // The premise: Helm's test chart pins neither.
  expect(chartYaml).not.toContain('appVersion');
  expect(valuesYaml).not.toMatch(/^image:/m);
});
afterAll(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
});

describe("Helm's test chart released with only { chart }", () => {
  it('plans the added appVersion and the untouched values file, and writes nothing in a dry run', async () => {
    const repo = await frobnitzRepo();
    const result = await runSemanticRelease(repo, { config: config(repo), dryRun: true });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`${CHART}/Chart.yaml version: 1.2.3 → 1.0.0`);
    expect(result.output).toContain(`${CHART}/Chart.yaml appVersion: (added) → 1.0.0`);
    expect(result.output).toContain(
      `${CHART}/values.yaml image.tag: left alone, the file has no such key (helm.imageTagKey not set)`,
    );
    expect(result.output).toContain(`chart release-artifacts/frobnitz-1.0.0.tgz`);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });

  it('releases it: appVersion added after version, values untouched, dev version in both keys', async () => {
    const repo = await frobnitzRepo();
    const result = await runSemanticRelease(repo, { config: config(repo) });
    expect(result.code, result.output).toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);

    // Only the two lines change; comments, quoting and order stay (showFile drops the last newline).
    const released = chartYaml.replace('version: "1.2.3"\n', 'version: "1.0.0"\nappVersion: "1.0.0"\n');
    expect(await showFile(repo.remote, 'v1.0.0', `${CHART}/Chart.yaml`)).toBe(released.trimEnd());
    expect(await showFile(repo.remote, 'v1.0.0', `${CHART}/values.yaml`)).toBe(valuesYaml.trimEnd());

    const archive = path.join(repo.dir, 'release-artifacts/frobnitz-1.0.0.tgz');
    const packaged = execFileSync('tar', ['-xzOf', archive, 'frobnitz/Chart.yaml'], { encoding: 'utf8' });
    expect(packaged).toMatch(/^appVersion: 1\.0\.0$/m);
    expect(packaged).toMatch(/^version: 1\.0\.0$/m);
    const values = execFileSync('tar', ['-xzOf', archive, 'frobnitz/values.yaml'], { encoding: 'utf8' });
    expect(values).toBe(valuesYaml);

    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    const dev = released.replace(
      'version: "1.0.0"\nappVersion: "1.0.0"',
      'version: "1.1.0-dev.0"\nappVersion: "1.1.0.dev0"',
    );
    expect(await showFile(repo.remote, 'main', `${CHART}/Chart.yaml`)).toBe(dev.trimEnd());
    expect(await showFile(repo.remote, 'main', `${CHART}/values.yaml`)).toBe(valuesYaml.trimEnd());
  });

  it('still refuses a values key the user named that is not there (EVERSIONKEYMISSING)', async () => {
    const repo = await frobnitzRepo();
    const result = await runSemanticRelease(repo, {
      config: config(repo, { chart: CHART, imageTagKey: 'image.tag' }),
      dryRun: true,
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/✘ +EVERSIONKEYMISSING /);
    expect(result.output).toContain(`${CHART}/values.yaml`);
    expect(result.output).not.toContain('Release plan for');
  });
});
