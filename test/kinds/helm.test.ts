import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { kindByEntry } from '../../src/kinds/index.js';
import { recordingLogger, srContext } from '../helpers/contexts.js';

const helm = () => createPlugin([kindByEntry('helm')] as never, 'standalone');
const options = { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' };
const CHART = `# Chart of the os-vim-driver service
apiVersion: v2
name: os-vim-driver
description: A Helm chart for the driver # kept
version: 0.2.0.dev0 # the seed's procedure left a PEP 440 dev version here
appVersion: 0.2.0.dev0
`;
const VALUES = `# values
docker:
  image: accanto/os-vim-driver
  version: 0.2.0.dev0 # image tag
`;

let root: string;
const chartDir = () => path.join(root, 'helm/os-vim-driver');
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-helm-kind-'));
  await mkdir(path.join(chartDir(), 'templates'), { recursive: true });
  await writeFile(path.join(chartDir(), 'Chart.yaml'), CHART);
  await writeFile(path.join(chartDir(), 'values.yaml'), VALUES);
  await writeFile(path.join(chartDir(), 'templates/deployment.yaml'), 'kind: Deployment\n');
});

const codes = (error: unknown): string[] =>
  (error instanceof AggregateError ? error.errors : [error]).map((e) => (e as { code: string }).code).sort();

describe('helm kind', () => {
  it('writes the versions keeping comments, then packages the chart reproducibly', async () => {
    const logger = recordingLogger();
    const ctx = srContext({ root, logger, version: '1.4.0', env: { SOURCE_DATE_EPOCH: '1700000000' } });
    await helm().verifyConditions(options, ctx);
    await helm().verifyRelease(options, ctx);
    expect(logger.text()).toContain('chart release-artifacts/os-vim-driver-1.4.0.tgz');
    await helm().prepare(options, ctx);

    const source = await readFile(path.join(chartDir(), 'Chart.yaml'), 'utf8');
    expect(source).toContain('# Chart of the os-vim-driver service\n');
    expect(source).toContain('version: 1.4.0 # the seed');
    expect(await readFile(path.join(chartDir(), 'values.yaml'), 'utf8')).toContain(
      '  version: 1.4.0 # image tag\n',
    );

    const archive = path.join(root, 'release-artifacts/os-vim-driver-1.4.0.tgz');
    const listing = execFileSync('tar', ['-tzvf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).pop())).toEqual([
      'os-vim-driver/Chart.yaml',
      'os-vim-driver/values.yaml',
      'os-vim-driver/templates/deployment.yaml',
    ]);
    const packaged = execFileSync('tar', ['-xzOf', archive, 'os-vim-driver/Chart.yaml'], {
      encoding: 'utf8',
    });
    expect(packaged).toContain('version: 1.4.0');
    expect(packaged).toContain('appVersion: 1.4.0');
    const first = await readFile(archive);

    // same sources, different mtimes: the same bytes
    execFileSync('touch', ['-d', '2001-01-01', path.join(chartDir(), 'values.yaml')]);
    await helm().prepare(options, ctx);
    expect((await readFile(archive)).equals(first)).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
    expect(manifest.artifacts).toEqual([
      expect.objectContaining({ kind: 'helm', type: 'chart', name: 'os-vim-driver-1.4.0.tgz' }),
    ]);
  });

  it('plans the appVersion it will write, or says it leaves it', async () => {
    const logger = recordingLogger();
    const ctx = srContext({ root, logger, version: '1.4.0+build.7' });
    await helm().verifyRelease({ ...options, appVersion: 'pep440' }, ctx);
    await helm().verifyRelease({ ...options, appVersion: false }, ctx);
    expect(logger.text()).toContain('(helm/os-vim-driver, appVersion 1.4.0+build.7)');
    expect(logger.text()).toContain('(helm/os-vim-driver, appVersion as it is)');
  });

  it('refuses bad charts in verifyConditions with codes', async () => {
    await writeFile(
      path.join(chartDir(), 'Chart.yaml'),
      CHART.replace('name: os-vim-driver', 'name: os/vim'),
    );
    await writeFile(path.join(chartDir(), 'values.yaml'), 'image: {}\n');
    const error = await helm()
      .verifyConditions(options, srContext({ root }))
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTNAME', 'EVERSIONKEYMISSING']);
    const missing = await helm()
      .verifyConditions({ chart: 'helm/none' }, srContext({ root }))
      .catch((e: unknown) => e);
    expect(codes(missing)).toContain('ECHARTMISSING');
  });
});
