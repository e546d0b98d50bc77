import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact, Manifest } from '../core/manifest.js';
import { digestLines, releasedArtifacts } from './artifacts.js';
import { appendOutputs, formatOutputs } from './github-output.js';
import { summaryMarkdown, writeSummary } from './summary.js';
import { readOutputs } from '../../test/helpers/github-actions.js';
import { fakeReleaseContext, fakeStepContext, recordingLogger } from '../../test/helpers/contexts.js';
import { outputsAtPublish, outputsAtVerifyConditions, outputsAtVerifyRelease } from './index.js';

const HEX = (c: string) => c.repeat(64);
const manifest = (artifacts: Manifest['artifacts']): Pick<Manifest, 'artifacts'> => ({ artifacts });
const wheel: Artifact = {
  kind: 'python',
  type: 'wheel',
  name: 'x-1.0.0-py3-none-any.whl',
  path: 'release-artifacts/x-1.0.0-py3-none-any.whl',
  sha256: HEX('a'),
};
const chart: Artifact = {
  kind: 'helm',
  type: 'chart',
  name: 'x-1.0.0.tgz',
  path: 'release-artifacts/x-1.0.0.tgz',
  sha256: HEX('b'),
};
const chartOci: Artifact = {
  kind: 'helm',
  type: 'chart-oci',
  name: 'reg.example/charts/x',
  refs: ['oci://reg.example/charts/x:1.0.0'],
  digest: `sha256:${HEX('c')}`,
};
const image = (name: string, c: string): Artifact => ({
  kind: 'docker',
  type: 'image',
  name,
  refs: [`${name}:1.0.0`, `${name}:latest`],
  digest: `sha256:${HEX(c)}`,
});

describe('GITHUB_OUTPUT format', () => {
  it('writes key=value, and a block with a delimiter absent from the value for several lines', () => {
    const text = formatOutputs([
      ['released', 'true'],
      ['image', 'a:1\nb:1'],
    ]);
    expect(text).toMatch(/^released=true\nimage<<(ghadelimiter_[0-9a-f-]{36})\na:1\nb:1\n\1\n$/);
    expect(readOutputs(text)).toEqual({ released: 'true', image: 'a:1\nb:1' });
  });

  it('appends, so a later value of a key overrides an earlier one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-outputs-'));
    const file = path.join(dir, 'output');
    await appendOutputs(file, [['released', 'false']]);
    await appendOutputs(file, [
      ['released', 'true'],
      ['version', '1.0.0'],
    ]);
    expect(readOutputs(await readFile(file, 'utf8'))).toEqual({ released: 'true', version: '1.0.0' });
    await rm(dir, { recursive: true });
  });
});

describe('released artifacts, from the manifest records', () => {
  it('a pushed chart stands in for its file; digests are registry digests or file sha256s', () => {
    expect(
      releasedArtifacts(manifest([wheel, chart, chartOci])).map((a) => [a.key, a.reference, a.digest]),
    ).toEqual([
      ['wheel', wheel.path, `sha256:${HEX('a')}`],
      ['chart', 'oci://reg.example/charts/x:1.0.0', `sha256:${HEX('c')}`],
    ]);
    expect(releasedArtifacts(manifest([chart]))[0]).toMatchObject({ key: 'chart', reference: chart.path });
  });

  it('takes artifact types it has never heard of (an sdist) and several images as they come', () => {
    const sdist = {
      kind: 'python',
      type: 'sdist',
      name: 'x-1.0.0.tar.gz',
      path: 'release-artifacts/x-1.0.0.tar.gz',
      sha256: HEX('d'),
    };
    const found = releasedArtifacts(manifest([sdist as never, image('r/app', 'e'), image('r/migrate', 'f')]));
    expect(found.map((a) => [a.key, a.reference, a.more])).toEqual([
      ['sdist', sdist.path, []],
      ['image', 'r/app:1.0.0', ['r/app:latest']],
      ['image', 'r/migrate:1.0.0', ['r/migrate:latest']],
    ]);
  });

  it('digests.txt lists registry digests and the chart file in sha256sum format', () => {
    // signatures and SBOMs (src/sign/) describe the artifacts: neither outputs nor subjects
    const sbom: Artifact = {
      kind: 'sign',
      type: 'sbom',
      name: 'sbom of r/app',
      refs: [`r/app@sha256:${HEX('9')}`],
      digest: `sha256:${HEX('9')}`,
    };
    const bundle: Artifact = {
      kind: 'sign',
      type: 'sigstore-bundle',
      name: 'b.json',
      path: 'release-artifacts/b.json',
      sha256: HEX('8'),
    };
    expect(releasedArtifacts(manifest([image('r/app', 'e'), sbom, bundle])).map((a) => a.key)).toEqual([
      'image',
    ]);
    expect(digestLines(manifest([wheel, chart, image('r/app', 'e'), sbom, bundle, chartOci]))).toEqual([
      `${HEX('b')}  x-1.0.0.tgz`,
      `${HEX('e')}  r/app`,
      `${HEX('c')}  reg.example/charts/x`,
    ]);
  });
});

describe('step summary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'srs-summary-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is a table of the artifacts with their digests and a link to the release', () => {
    const md = summaryMarkdown({
      tag: 'v2.0.0-beta.1',
      version: '2.0.0-beta.1',
      pep440: '2.0.0b1',
      artifacts: releasedArtifacts(manifest([wheel, image('r/app', 'e')])),
      releaseUrl: 'https://github.com/acme/demo/releases/tag/v2.0.0-beta.1',
    });
    expect(md).toContain('### Released v2.0.0-beta.1');
    expect(md).toContain('(PEP 440 2.0.0b1)');
    expect(md).toContain(`| wheel | \`${wheel.path}\` | \`sha256:${HEX('a')}\` |`);
    expect(md).toContain(`| image | \`r/app:1.0.0\`<br>also \`r/app:latest\` | \`sha256:${HEX('e')}\` |`);
    expect(md).toContain(
      '[GitHub release v2.0.0-beta.1](https://github.com/acme/demo/releases/tag/v2.0.0-beta.1)',
    );
  });

  it("appends the release's section once: a later plugin of the run replaces it, others' text stays", async () => {
    const file = path.join(dir, 'summary.md');
    await writeFile(file, '# Tests\nall green');
    await writeSummary(file, 'v1.0.0', 'first');
    await writeSummary(file, 'v1.0.0', 'second');
    const text = await readFile(file, 'utf8');
    expect(text).toBe(
      '# Tests\nall green\n<!-- semantic-release-stack v1.0.0 -->\nsecond\n<!-- /semantic-release-stack -->\n',
    );
    await writeSummary(path.join(dir, 'new.md'), 'v1.0.0', 'only');
    expect(await readFile(path.join(dir, 'new.md'), 'utf8')).toContain('only');
  });
});

describe('the step hooks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'srs-hooks-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('write nothing without GITHUB_OUTPUT', async () => {
    expect(await outputsAtVerifyConditions(fakeStepContext({ root: dir }))).toEqual([]);
    await outputsAtPublish(fakeReleaseContext({ root: dir, version: '1.0.0' }), { artifacts: [] } as never);
    expect(await import('node:fs/promises').then((fs) => fs.readdir(dir))).toEqual([]);
  });

  it('refuse an outputs file that cannot be written in verifyConditions (EWORKFLOWOUTPUT), only warn later', async () => {
    const env = { GITHUB_OUTPUT: path.join(dir, 'no-such-dir', 'output') };
    const [error] = await outputsAtVerifyConditions(fakeStepContext({ root: dir, env }));
    expect(error).toMatchObject({ code: 'EWORKFLOWOUTPUT' });
    const logger = recordingLogger();
    await outputsAtVerifyRelease(fakeReleaseContext({ root: dir, env, logger, version: '1.0.0' }));
    expect(logger.text()).toMatch(/warn: Could not write the workflow outputs: ENOENT/);
  });

  it('leave pep440 out for a version PEP 440 cannot express (no Python kind)', async () => {
    const env = { GITHUB_OUTPUT: path.join(dir, 'output') };
    const ctx = fakeReleaseContext({
      root: dir,
      env,
      version: '2.0.0-next.1',
      branch: { name: 'next', type: 'prerelease', prerelease: 'next' },
    });
    await outputsAtVerifyRelease(ctx);
    expect(readOutputs(await readFile(env.GITHUB_OUTPUT, 'utf8'))).toEqual({
      version: '2.0.0-next.1',
      tag: 'v2.0.0-next.1',
    });
  });
});
