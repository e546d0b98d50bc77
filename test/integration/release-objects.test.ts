/**
 * What the stack published, as semantic-release sees it: releases through semantic-release's
 * programmatic API (the real package, in this process) whose `releases` name the image and the chart
 * the composite pushed to a real registry, with a URL that registry answers for; on the `next`
 * channel, and when that release is added to the default channel (addChannel).
 */
import { Writable } from 'node:stream';
import semanticRelease from 'semantic-release';
import { describe, expect, it } from 'vitest';
import { commitAndPush } from '../helpers/git.js';
import { semanticReleaseEnv } from '../helpers/semantic-release.js';
import { PLUGIN, imageAndChart } from './support.js';

const AUTH = { user: 'release-bot', password: 'Rel3ase-objects-pw' };

const f = imageAndChart('release-objects', AUTH);

/** The registry's answer for a URL, with its credentials. */
async function registryAnswer(url: string): Promise<{ status: number; digest: string | null }> {
  const response = await fetch(url, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${AUTH.user}:${AUTH.password}`).toString('base64')}`,
      accept:
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return { status: response.status, digest: response.headers.get('docker-content-digest') };
}

/** One release through semantic-release's programmatic API; its result and what it printed. */
async function releaseInProcess() {
  const output: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      output.push(String(chunk));
      done();
    },
  });
  const result = await semanticRelease(
    f.config({
      docker: { image: f.image, wheelsDir: false },
      helm: { chart: 'helm/app', oci: `oci://${f.registry.host}/charts` },
    }),
    {
      cwd: f.repo.dir,
      env: semanticReleaseEnv(f.repo, f.env),
      // semantic-release's types want a TTY stream; it only writes to it.
      stdout: sink as NodeJS.WriteStream,
      stderr: sink as NodeJS.WriteStream,
    },
  );
  expect(result, output.join('')).toBeTruthy();
  if (!result) throw new Error('no release');
  return { result, ours: result.releases.filter((r) => r.pluginName === PLUGIN), output: output.join('') };
}

describe.sequential('publish and addChannel return semantic-release release objects', () => {
  it('names the image and the chart in result.releases, with the registry URL of the version', async () => {
    await commitAndPush(f.repo, 'feat: first', { 'src.txt': 'one\n' });
    const { result, ours, output } = await releaseInProcess();
    expect(result.nextRelease.version).toBe('1.0.0');
    expect(ours).toHaveLength(1);
    const release = ours[0]!;
    expect(release).toMatchObject({
      name: `Docker image ${f.registry.host}/acme/app:1.0.0, Helm chart oci://${f.registry.host}/charts/app:1.0.0`,
      url: `http://${f.registry.host}/v2/acme/app/manifests/1.0.0`,
      channel: null,
      version: '1.0.0',
      gitTag: 'v1.0.0',
    });
    const answer = await registryAnswer(release.url!);
    expect(answer.status).toBe(200);
    expect(answer.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // semantic-release logs what each plugin published.
    expect(output).toContain('Published release 1.0.0 on default channel');
  });

  it('a release on `next` names its channel; adding it to the default channel returns the image again', async () => {
    await f.repo.git(['checkout', '--quiet', '-b', 'next']);
    await f.repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await commitAndPush(f.repo, 'feat: next', { 'src.txt': 'two\n' });
    const onNext = await releaseInProcess();
    expect(onNext.ours).toEqual([
      expect.objectContaining({
        name: `Docker image ${f.registry.host}/acme/app:1.1.0, Helm chart oci://${f.registry.host}/charts/app:1.1.0`,
        channel: 'next',
      }),
    ]);

    await f.repo.git(['checkout', '--quiet', 'main']);
    await f.repo.git(['merge', '--quiet', '--ff-only', 'next']);
    await f.repo.git(['push', '--quiet', 'origin', 'main']);
    const added = await releaseInProcess();
    // Only a channel was added: no new version, and semantic-release returns the added releases.
    expect(added.result.nextRelease).toBeUndefined();
    expect(added.ours).toEqual([
      expect.objectContaining({
        name: `Docker image ${f.registry.host}/acme/app:1.1.0`,
        url: `http://${f.registry.host}/v2/acme/app/manifests/1.1.0`,
        channel: null,
        version: '1.1.0',
      }),
    ]);
    const latest = await registryAnswer(`http://${f.registry.host}/v2/acme/app/manifests/latest`);
    expect(latest.digest).toBe((await registryAnswer(added.ours[0]!.url!)).digest);
  });
});
