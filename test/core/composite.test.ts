import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { KINDS } from '../../src/kinds/index.js';
import { recordingLogger, srContext } from '../helpers/contexts.js';

const plugin = () => createPlugin(KINDS as never, 'composite');
const failure = (step: Promise<void>) =>
  step.then(
    () => ({ message: '(no error)', details: '' }) as Error & { details: string },
    (e: unknown) => e as Error & { details: string },
  );
const codes = (error: unknown): string[] =>
  (error instanceof AggregateError ? error.errors : [error]).map((e) => (e as { code: string }).code).sort();

const CHART = `# the chart of the service
apiVersion: v2
name: os-vim-driver
version: 0.1.0 # bumped by the release
appVersion: "0.1.0"
`;
const VALUES = `docker:
  image: accanto/os-vim-driver
  # the tag the release pushed
  version: 0.1.0
`;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-composite-'));
  await mkdir(path.join(root, 'osvimdriver'));
  await mkdir(path.join(root, 'helm/os-vim-driver'), { recursive: true });
  await writeFile(
    path.join(root, 'osvimdriver/pkg_info.json'),
    '{"version": "0.1.0", "ignition-version": "==0.1.0"}\n',
  );
  await writeFile(path.join(root, 'helm/os-vim-driver/Chart.yaml'), CHART);
  await writeFile(path.join(root, 'helm/os-vim-driver/values.yaml'), VALUES);
});

const config = {
  python: {
    build: false,
    versionFiles: [{ path: 'osvimdriver/pkg_info.json', set: { 'ignition-version': '==0.2.0' } }],
  },
  helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
  devVersion: true,
};

describe('composite plugin', () => {
  it('reports every configuration and file problem at once in verifyConditions', async () => {
    await writeFile(path.join(root, 'osvimdriver/pkg_info.json'), '{"version": ');
    const bad = {
      python: { versionFiles: ['osvimdriver/pkg_info.json', '../outside.json'], interpeter: 'python3' },
      helm: { chart: 'helm/os-vim-driver', imageTagKey: 'image.tag' },
      dockr: {},
    };
    const error = await plugin()
      .verifyConditions(bad, srContext({ root }))
      .catch((e: unknown) => e);
    // python's options are refused; helm's are valid, so its missing values key is reported too
    expect(codes(error)).toEqual(['EUNKNOWNOPTION', 'EUNKNOWNOPTION', 'EVERSIONKEYMISSING']);
    // options valid, files broken: the file problems are reported together
    const error2 = await plugin()
      .verifyConditions(
        {
          ...config,
          python: { build: false, versionFiles: ['osvimdriver/pkg_info.json', '../outside.json'] },
          // a key the user names must be there (the default image.tag only where values.yaml has it)
          helm: { chart: 'helm/os-vim-driver', imageTagKey: 'image.tag' },
        },
        srContext({ root }),
      )
      .catch((e: unknown) => e);
    expect(codes(error2)).toEqual(['EINVALIDVERSIONFILE', 'EPATHOUTSIDEREPO', 'EVERSIONKEYMISSING']);
  });

  it('needs at least one kind', async () => {
    const error = await plugin()
      .verifyConditions({}, srContext({ root }))
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ENOKINDS']);
  });

  it('reads sections given at the top level of the config (next to extends)', async () => {
    const context = srContext({ root });
    context.options = { ...context.options, ...config };
    await expect(plugin().verifyConditions({ ...context.options }, context)).resolves.toBeUndefined();
  });

  it('prints the plan, then writes every version rendering and records the fields', async () => {
    const logger = recordingLogger();
    const ctx = srContext({
      root,
      logger,
      version: '2.0.0-beta.3',
      branch: { name: 'beta', type: 'prerelease', prerelease: 'beta' },
      env: { SOURCE_DATE_EPOCH: '1700000000' },
    });
    await plugin().verifyConditions(config, ctx);
    await plugin().verifyRelease(config, ctx);
    expect(logger.text()).toContain('osvimdriver/pkg_info.json version: 0.1.0 → 2.0.0b3');
    expect(logger.text()).toContain('helm/os-vim-driver/Chart.yaml version: 0.1.0 → 2.0.0-beta.3');
    expect(logger.text()).toContain('no development version after 2.0.0-beta.3');

    await plugin().prepare(config, ctx);
    expect(await readFile(path.join(root, 'osvimdriver/pkg_info.json'), 'utf8')).toBe(
      '{"version": "2.0.0b3", "ignition-version": "==0.2.0"}\n',
    );
    expect(await readFile(path.join(root, 'helm/os-vim-driver/Chart.yaml'), 'utf8')).toBe(
      CHART.replace('version: 0.1.0 #', 'version: 2.0.0-beta.3 #').replace(
        'appVersion: "0.1.0"',
        'appVersion: "2.0.0-beta.3"',
      ),
    );
    expect(await readFile(path.join(root, 'helm/os-vim-driver/values.yaml'), 'utf8')).toContain(
      '  version: 2.0.0-beta.3\n',
    );
    const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
    expect(manifest.version).toBe('2.0.0-beta.3');
    expect(manifest.fields.map((f: { path: string; key?: string }) => `${f.path}#${f.key ?? ''}`)).toEqual([
      'osvimdriver/pkg_info.json#',
      'osvimdriver/pkg_info.json#ignition-version',
      'helm/os-vim-driver/Chart.yaml#version',
      'helm/os-vim-driver/Chart.yaml#appVersion',
      'helm/os-vim-driver/values.yaml#docker.version',
    ]);
  });

  it('refuses to publish when a file prepare recorded is gone or changed (EMISSINGASSET)', async () => {
    const ctx = srContext({ root, version: '1.0.0', env: { SOURCE_DATE_EPOCH: '1700000000' } });
    await plugin().prepare(config, ctx);
    const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
    const chart = manifest.artifacts.find((a: { type: string }) => a.type === 'chart');
    expect(chart.path).toBe('release-artifacts/os-vim-driver-1.0.0.tgz');
    await writeFile(path.join(root, chart.path), 'not the chart');
    const changed = await plugin()
      .publish(config, ctx)
      .catch((e: unknown) => e);
    expect(codes(changed)).toEqual(['EMISSINGASSET']);
    expect((changed as Error).message).toContain(`not the ${chart.sha256} prepare recorded`);
    await rm(path.join(root, chart.path));
    const gone = await plugin()
      .publish(config, ctx)
      .catch((e: unknown) => e);
    expect((gone as Error).message).toBe(
      'The release artifact `release-artifacts/os-vim-driver-1.0.0.tgz` cannot be published: it is gone.',
    );
  });

  it('does no success step for a release only added to another channel (addChannel)', async () => {
    const onNext = srContext({
      root,
      version: '1.1.0',
      channel: 'next',
      branch: { name: 'next', type: 'release', main: false },
      env: { SOURCE_DATE_EPOCH: '1700000000' },
    });
    await plugin().prepare(config, onNext);
    const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
    expect(manifest.channel).toBe('next');
    // The same version, added to the default channel on main in a later run on this machine.
    const logger = recordingLogger();
    const added = srContext({ root, version: '1.1.0', logger });
    await plugin().success(config, added);
    expect(logger.text()).toContain('Nothing was built for 1.1.0 in this run; no success step to do.');
    expect(logger.text()).not.toContain('development version');
  });

  describe('on a prerelease channel PEP 440 has no phase for (`next`)', () => {
    const next = { name: 'next', type: 'prerelease', prerelease: 'next' } as const;
    const noPython = {
      docs: { dir: 'docs', name: 'svc' },
      helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
    };
    beforeEach(async () => {
      await mkdir(path.join(root, 'docs'));
      await writeFile(path.join(root, 'docs/index.html'), '<h1>docs</h1>\n');
    });

    it('releases kinds that need no PEP 440, and the manifest records plain values', async () => {
      const ctx = srContext({
        root,
        version: '2.0.0-next.1',
        branch: next,
        env: { SOURCE_DATE_EPOCH: '1700000000' },
      });
      await plugin().verifyConditions(noPython, ctx);
      await plugin().verifyRelease(noPython, ctx);
      await plugin().prepare(noPython, ctx);
      const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
      // Plain values; PEP 440 is simply absent.
      expect(Object.keys(manifest.versions).sort()).toEqual([
        'appVersion',
        'chartVersion',
        'imageTag',
        'nextDev',
        'prerelease',
        'semver',
      ]);
      expect(manifest.versions.chartVersion).toBe('2.0.0-next.1');
      expect(manifest.artifacts.map((a: { name: string }) => a.name).sort()).toEqual([
        'os-vim-driver-2.0.0-next.1.tgz',
        'svc-2.0.0-next.1-docs.tgz',
      ]);
    });

    it('stops the kinds that need PEP 440 in verifyConditions, each problem once, naming who needs it', async () => {
      const ctx = srContext({ root, branch: next });
      const withPython = { ...noPython, python: config.python };
      const error = await failure(plugin().verifyConditions(withPython, ctx));
      expect(codes(error)).toEqual(['EPRERELEASEMAP']);
      expect(error.message).toContain('`python.versionFiles[0]`');
      expect(error.details).toContain('"python": { "prereleaseMap": { "next": "rc" } }');
      await expect(
        plugin().verifyConditions(
          { ...withPython, python: { ...config.python, prereleaseMap: { next: 'rc' } } },
          ctx,
        ),
      ).resolves.toBeUndefined();
    });

    it('reports a template that asks for PEP 440 in verifyRelease, with the option that asks', async () => {
      const docs = { docs: { dir: 'docs', name: 'svc', archiveName: '{name}-{pep440}' } };
      const ctx = srContext({ root, version: '2.0.0-next.1', branch: next });
      await plugin().verifyConditions({ docs: { dir: 'docs', name: 'svc' } }, ctx);
      const error = await failure(plugin().verifyRelease(docs, ctx));
      expect(codes(error)).toEqual(['EPRERELEASEMAP']);
      expect(error.message).toContain('`docs.archiveName`');
      expect(error.details).toContain('`{version}` instead of `{pep440}`');
    });
  });
});
