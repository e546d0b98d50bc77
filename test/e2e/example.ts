/**
 * The example project (examples/python-service) as the end-to-end tests and the demo use it: its
 * files for `createRepo`, its `.releaserc.json` pointed at local services, the package installed
 * from its `npm pack` tarball, and small readers for what a release produced (tar.gz entries, image
 * layers, wheel metadata, snapshots of a directory). No vitest here: scripts/demo.ts imports it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type FileContent } from '../helpers/git.js';
import { getBlob, getManifest, type Registry } from '../helpers/registry.js';
import { tarFiles } from '../helpers/tar.js';
import { SYSTEM_PYTHON } from '../helpers/tools.js';

export { tarFiles };

/**
 * This checkout: the nearest folder above this file with semantic-release-stack's package.json (the
 * demo runs a compiled copy of this file from node_modules/.cache).
 */
function findProjectRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'semantic-release-stack')
      return dir;
    if (dir === path.dirname(dir))
      throw new Error(`no semantic-release-stack checkout above ${import.meta.url}`);
  }
}

export const PROJECT_ROOT = findProjectRoot();
export const EXAMPLE_DIR = path.join(PROJECT_ROOT, 'examples/python-service');
export const DIST_PRESET = path.join(PROJECT_ROOT, 'dist/preset.js');
export const IMAGE_REPO = 'accanto/os-vim-driver';
export const SLUG = 'accanto/os-vim-driver';
export const REGISTRY_AUTH = { user: 'release-bot', password: 'Secret-e2e-pa55' };

/** Fails with a clear message when the tests would run against a stale or missing build. */
export function requireBuild(): void {
  for (const file of [DIST_PRESET, path.join(PROJECT_ROOT, 'dist/index.js')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the e2e tests`);
  }
}

/** What the example's .gitignore leaves out: never copied from a checkout that ran a build. */
const IGNORED = /^(release-artifacts|dist|build)\/|\.egg-info\/|^docker\/whls\/.+\.whl$/;

/** The example's files (relative path → bytes), without its `.releaserc.json` unless asked. */
export async function exampleFiles(
  options: { withConfig?: boolean } = {},
): Promise<Record<string, FileContent>> {
  const files: Record<string, FileContent> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(path.join(EXAMPLE_DIR, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (!IGNORED.test(rel)) files[rel] = await readFile(path.join(EXAMPLE_DIR, rel));
    }
  };
  await walk('');
  if (!options.withConfig) delete files['.releaserc.json'];
  return files;
}

export type ReleaseConfig = Record<string, unknown> & {
  python: Record<string, unknown>;
  docker: Record<string, unknown>;
};

export async function exampleConfig(): Promise<ReleaseConfig> {
  return JSON.parse(await readFile(path.join(EXAMPLE_DIR, '.releaserc.json'), 'utf8')) as ReleaseConfig;
}

/**
 * The example's config, changed only where the machine differs from a user's CI: the image goes to
 * the loopback registry, the repository URL is the GitHub stand-in's, the interpreter is Debian's
 * (which has `build`), and @semantic-release/github skips comments and labels (fast, and its 11.0.6
 * fail step is broken, see test/helpers/README.md).
 */
export async function localConfig(options: {
  registry: Pick<Registry, 'host'>;
  repositoryUrl: string;
  extends?: string;
}): Promise<ReleaseConfig> {
  const config = await exampleConfig();
  return {
    ...config,
    ...(options.extends ? { extends: options.extends } : {}),
    repositoryUrl: options.repositoryUrl,
    python: { ...config.python, interpreter: SYSTEM_PYTHON, isolation: false },
    docker: { ...config.docker, image: `${options.registry.host}/${IMAGE_REPO}` },
    failComment: false,
    successComment: false,
    releasedLabels: false,
  };
}

/**
 * `npm pack` of this checkout, installed with semantic-release (the version of this checkout) into
 * a new npm project, as `npx -p semantic-release -p semantic-release-stack` would. Returns the
 * project directory and its semantic-release CLI.
 */
export async function installPacked(root: string): Promise<{ project: string; semanticRelease: string }> {
  const { stdout } = await execa('npm', ['pack', '--silent', '--pack-destination', root], {
    cwd: PROJECT_ROOT,
  });
  const tarball = path.join(root, stdout.trim().split('\n').at(-1)!);
  const project = path.join(root, 'project');
  await mkdir(project, { recursive: true });
  await writeFile(path.join(project, 'package.json'), '{ "private": true }\n');
  const srVersion = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, 'node_modules/semantic-release/package.json'), 'utf8'),
  ).version as string;
  const install = ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund'];
  const result = await execa('npm', [...install, `semantic-release@${srVersion}`, tarball], {
    cwd: project,
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) throw new Error(`npm install in ${project} failed:\n${result.all}`);
  return {
    project,
    semanticRelease: path.join(project, 'node_modules/semantic-release/bin/semantic-release.js'),
  };
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Digest and file names (across layers) of an image in the registry. */
export async function imageContent(
  registry: Registry,
  tag: string,
): Promise<{ digest: string | undefined; files: string[]; labels: Record<string, string> }> {
  const manifest = await getManifest(registry, IMAGE_REPO, tag, { auth: registry.auth });
  if (manifest.status !== 200) throw new Error(`${IMAGE_REPO}:${tag}: HTTP ${manifest.status}`);
  const json = manifest.json as { config: { digest: string }; layers: { digest: string }[] };
  const files: string[] = [];
  for (const layer of json.layers) {
    files.push(...tarFiles(await getBlob(registry, IMAGE_REPO, layer.digest, registry.auth)).keys());
  }
  const config = JSON.parse(
    (await getBlob(registry, IMAGE_REPO, json.config.digest, registry.auth)).toString('utf8'),
  ) as { config?: { Labels?: Record<string, string> } };
  return { digest: manifest.digest, files: files.sort(), labels: config.config?.Labels ?? {} };
}

/** `Version:` of a wheel's METADATA, read by Python's zipfile. */
export async function wheelVersion(wheel: Uint8Array): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'srs-wheel-'));
  const file = path.join(dir, 'w.whl');
  await writeFile(file, wheel);
  const script =
    'import sys, zipfile\n' +
    'z = zipfile.ZipFile(sys.argv[1])\n' +
    'meta = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]\n' +
    'print([l for l in z.read(meta).decode().splitlines() if l.startswith("Version:")][0][9:])\n';
  const { stdout } = await execa(SYSTEM_PYTHON, ['-c', script, file]);
  return stdout.trim();
}

/**
 * Every file under `dir` → its sha256, ignored files included; `skip` names top-level entries left
 * out (`.git`, whose FETCH_HEAD any fetch rewrites: refs are compared on their own).
 */
export async function snapshotDir(dir: string, skip: string[] = []): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && skip.includes(entry.name)) continue;
      if (entry.isDirectory()) await walk(child);
      else result[child] = entry.isFile() ? sha256(await readFile(path.join(dir, child))) : 'special';
    }
  };
  await walk('');
  return result;
}
