/**
 * Python fixture projects copied to temporary git repositories, and readers for the wheels built
 * from them. Tools are found by test/helpers/tools.ts: a missing one fails the test with its install
 * command, never skips it.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Manifest } from '../../../src/core/manifest.js';
import { isolatedGitEnv } from '../../helpers/git.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requireTool } from '../../helpers/tools.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/python/', import.meta.url));

export type FixtureName = 'setup-py-project' | 'pyproject-project';
/** Real-layout projects of the three build backends teams use most, found without configuration. */
export type BackendFixture = 'saltmarsh-scm' | 'saltmarsh-hatch' | 'saltmarsh-poetry';

/** Where each fixture keeps its version, as `python.versionFiles` names it. */
export const VERSION_FILE: Record<FixtureName, string> = {
  'setup-py-project': 'osvimdriver/pkg_info.json',
  'pyproject-project': 'pyproject.toml',
};

export const DIST_NAME: Record<FixtureName, string> = {
  'setup-py-project': 'os-vim-driver',
  'pyproject-project': 'demo-service',
};

/** The files of a fixture (relative path → text), for `createRepo`. */
export async function fixtureFiles(name: FixtureName | BackendFixture): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(FIXTURES, name, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else files[child] = await readFile(path.join(FIXTURES, name, child), 'utf8');
    }
  };
  await walk('');
  return files;
}

/** 2023-11-14T22:13:20Z, the committer time of every fixture commit. */
export const COMMIT_EPOCH = 1_700_000_000;

export interface FixtureRepo {
  root: string;
  gitHead: string;
  cleanup(): Promise<void>;
}

async function git(root: string, args: string[]): Promise<string> {
  const result = await execa(await requireTool('git', INSTALL_HINTS.git), args, {
    cwd: root,
    env: isolatedGitEnv({
      GIT_COMMITTER_DATE: `@${COMMIT_EPOCH} +0000`,
      GIT_AUTHOR_DATE: `@${COMMIT_EPOCH} +0000`,
    }),
    extendEnv: false,
  });
  return result.stdout.trim();
}

/** A copy of the fixture in a fresh git repository with one commit. */
export async function copyFixture(name: FixtureName | BackendFixture): Promise<FixtureRepo> {
  const root = await mkdtemp(path.join(tmpdir(), `srs-python-${name}-`));
  await cp(path.join(FIXTURES, name), root, { recursive: true });
  await git(root, ['init', '--quiet', '--initial-branch=main']);
  await git(root, ['add', '--all']);
  await git(root, ['commit', '--quiet', '-m', 'chore: fixture']);
  return {
    root,
    gitHead: await git(root, ['rev-parse', 'HEAD']),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** What the core's version-file edit does before prepare builds: the PEP 440 version in the file. */
export async function writeVersion(root: string, name: FixtureName, pep440: string): Promise<void> {
  const file = path.join(root, VERSION_FILE[name]);
  const text = await readFile(file, 'utf8');
  const updated =
    name === 'setup-py-project'
      ? JSON.stringify({ ...JSON.parse(text), version: pep440 }, null, 2) + '\n'
      : text.replace(/^version = ".*"$/m, `version = "${pep440}"`);
  await writeFile(file, updated);
}

/** The `Version:` field of the wheel's METADATA, read with unzip. */
export async function wheelMetadataVersion(wheel: string): Promise<string | undefined> {
  const unzip = await requireTool('unzip', 'apt-get install unzip');
  const { stdout } = await execa(unzip, ['-p', wheel, '*.dist-info/METADATA']);
  return /^Version: (.+)$/m.exec(stdout)?.[1]?.trim();
}

/** The `Version:` field of the sdist's PKG-INFO, read with tar. */
export async function sdistMetadataVersion(sdist: string): Promise<string | undefined> {
  const tar = await requireTool('tar', 'apt-get install tar');
  const { stdout } = await execa(tar, [
    '-xzOf',
    sdist,
    '--wildcards',
    '--no-wildcards-match-slash',
    '*/PKG-INFO',
  ]);
  return /^Version: (.+)$/m.exec(stdout)?.[1]?.trim();
}

/** The wheel's entries with their zip times, as `python -m zipfile -l` lists them. */
export async function wheelListing(wheel: string): Promise<string> {
  const { stdout } = await execa(await requireTool(SYSTEM_PYTHON, INSTALL_HINTS.python), [
    '-m',
    'zipfile',
    '-l',
    wheel,
  ]);
  return stdout;
}

export function emptyManifest(version: string, gitHead: string): Manifest {
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
    artifacts: [],
  };
}
