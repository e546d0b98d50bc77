import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/semantic-release.js';

const CLI = path.join(PROJECT_ROOT, 'dist/cli.js');
const run = (...args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false });

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

describe('semantic-release-stack versions', () => {
  it('prints every rendering of a release as one JSON object', async () => {
    const { exitCode, stdout } = await run('versions', '1.4.0');
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      semver: '1.4.0',
      pep440: '1.4.0',
      imageTag: '1.4.0',
      chartVersion: '1.4.0',
      appVersion: '1.4.0',
      nextDev: { pep440: '1.5.0.dev0', imageTag: '1.5.0.dev0', chartVersion: '1.5.0-dev.0' },
    });
  });

  it('renders prereleases with no dev version, and honours --prerelease-map', async () => {
    expect(JSON.parse((await run('versions', '2.0.0-beta.3')).stdout)).toMatchObject({
      pep440: '2.0.0b3',
      chartVersion: '2.0.0-beta.3',
      nextDev: null,
    });
    const mapped = await run('versions', '1.0.0-next.1', '--prerelease-map', 'next=rc,canary=a');
    expect(JSON.parse(mapped.stdout)).toMatchObject({ pep440: '1.0.0rc1' });
  });

  it('renders the maintenance dev version with --branch maintenance', async () => {
    const { stdout } = await run('versions', '1.2.3', '--branch', 'maintenance');
    expect(JSON.parse(stdout).nextDev).toEqual({
      pep440: '1.2.4.dev0',
      imageTag: '1.2.4.dev0',
      chartVersion: '1.2.4-dev.0',
    });
  });

  it('exits 1 with a one-line reason for a version that cannot be rendered', async () => {
    for (const version of ['1.0.0-next.1', '1.0.0-1', 'not-a-version']) {
      const { exitCode, stdout, stderr } = await run('versions', version);
      expect(exitCode, version).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
