/**
 * Shared set-up of the docker kind's integration tests: a git repository with a Docker context, a
 * wheel "built in this run" recorded in a release manifest, a reader for image layers, and a
 * watcher that samples every process's argv while a release runs.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { sampleArgv } from '../../helpers/processes.js';
import path from 'node:path';
import { expect } from 'vitest';
import type { Manifest } from '../../../src/core/manifest.js';
import { sha256File } from '../../../src/core/manifest.js';
import type { ReleaseContext } from '../../../src/kind.js';
import type { DockerConfig } from '../../../src/kinds/docker/config.js';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import {
  fakeReleaseContext,
  recordingLogger,
  type FakeContextInput,
  type RecordingLogger,
} from '../../helpers/contexts.js';
import { createRepo, type TestRepo } from '../../helpers/git.js';
import { getBlob, getManifest, type Registry } from '../../helpers/registry.js';
import { tarFiles } from '../../helpers/tar.js';

export { tarFiles };

export const DOCKERFILE = 'FROM scratch\nCOPY whls/ /whls/\n';

export async function dockerRepo(files: Record<string, string> = {}): Promise<TestRepo> {
  return createRepo({
    files: { 'docker/Dockerfile': DOCKERFILE, 'docker/whls/.gitkeep': '', ...files },
  });
}

/** A wheel file as the python kind leaves it (the bytes only need to be unique) and its manifest. */
export async function builtWheel(
  root: string,
  version: string,
  gitHead: string,
  name = `app-${version}-py3-none-any.whl`,
): Promise<Manifest> {
  const rel = `release-artifacts/${name}`;
  await mkdir(path.join(root, 'release-artifacts'), { recursive: true });
  await writeFile(path.join(root, rel), `wheel ${name} built at ${Date.now()} ${Math.random()}`);
  const { sha256, size } = await sha256File(path.join(root, rel));
  return {
    schema: 1,
    version,
    gitTag: `v${version}`,
    gitHead,
    versions: {
      semver: version,
      pep440: version,
      imageTag: version,
      chartVersion: version,
      appVersion: version,
      prerelease: false,
      nextDev: null,
    },
    fields: [],
    artifacts: [{ kind: 'python', type: 'wheel', name, path: rel, sha256, size }],
  };
}

export interface Release {
  ctx: ReleaseContext;
  logger: RecordingLogger;
  config: DockerConfig;
}

export function release(
  repo: TestRepo,
  gitHead: string,
  input: Omit<FakeContextInput, 'root'> & { version: string },
  options: Record<string, unknown>,
): Release {
  const logger = recordingLogger();
  const ctx = fakeReleaseContext({ root: repo.dir, gitHead, logger, ...input });
  const resolved = dockerKind.resolveConfig(options, ctx);
  expect(resolved.errors).toEqual([]);
  return { ctx, logger, config: resolved.config! };
}

/** Every file of every layer of `repo:tag`, read back through the registry API. */
export async function imageFiles(
  registry: Registry,
  repository: string,
  tag: string,
): Promise<{ files: Map<string, Buffer>; config: Record<string, unknown>; digest: string }> {
  const manifest = await getManifest(registry, repository, tag, { auth: registry.auth });
  expect(manifest.status).toBe(200);
  const json = manifest.json as { config: { digest: string }; layers: Array<{ digest: string }> };
  const files = new Map<string, Buffer>();
  for (const layer of json.layers) {
    for (const [name, content] of tarFiles(await getBlob(registry, repository, layer.digest, registry.auth)))
      files.set(name, content);
  }
  const config = JSON.parse(
    (await getBlob(registry, repository, json.config.digest, registry.auth)).toString('utf8'),
  );
  return { files, config, digest: manifest.digest! };
}

/** Samples every process's argv until stopped, and reports each one that holds one of the secrets. */
export function watchArgv(secrets: string[]): { stop(): Promise<string[]>; samples(): number } {
  const sampler = sampleArgv();
  return {
    samples: sampler.samples,
    async stop() {
      return (await sampler.stop()).filter((argv) => secrets.some((s) => argv.includes(s)));
    },
  };
}

/** Order of manifest PUTs in the registry's access log (`acme/app:1.4.0`). */
export async function manifestPuts(registry: Registry): Promise<string[]> {
  const log = await readFile(path.join(registry.dir, 'registry.log'), 'utf8');
  return [...log.matchAll(/"PUT \/v2\/(.+?)\/manifests\/([^ "]+) HTTP/g)].map((m) => `${m[1]}:${m[2]}`);
}
