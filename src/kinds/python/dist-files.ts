import { normalizeDistributionName, sdistFileName, wheelFileName } from '../../version.js';

/**
 * The files of this distribution and version among what a build wrote, by their expected names;
 * never "whatever .whl or .tar.gz is there".
 */

const WHEEL_NAME = /^(?<name>[^-]+)-(?<version>[^-]+)(?:-\d[^-]*)?-(?<tags>[^-]+-[^-]+-[^-]+)\.whl$/;
// The name part may hold dashes (setuptools < 69.3 keeps them); a canonical version never does.
const SDIST_NAME = /^(?<name>.+)-(?<version>[^-]+)\.tar\.gz$/;

interface Parsed {
  file: string;
  name: string;
  version: string;
  pure: boolean;
}

function parse(file: string): Parsed | undefined {
  const wheel = WHEEL_NAME.exec(file)?.groups;
  if (wheel) return { file, name: wheel.name!, version: wheel.version!, pure: wheel.tags === 'py3-none-any' };
  const sdist = SDIST_NAME.exec(file)?.groups;
  if (sdist) return { file, name: sdist.name!, version: sdist.version!, pure: true };
  return undefined;
}

const sameProject = (parsed: Parsed, distName: string) =>
  normalizeDistributionName(parsed.name) === normalizeDistributionName(distName);

function find(files: readonly string[], expected: string, distName: string, pep440: string, suffix: string) {
  if (files.includes(expected)) return expected;
  return files.find((file) => {
    const parsed = file.endsWith(suffix) ? parse(file) : undefined;
    return parsed?.version === pep440 && parsed.pure && sameProject(parsed, distName);
  });
}

/**
 * The pure-Python wheel: its exact PEP 427 name, or, for setuptools older than 75.8.1 (which keeps
 * case and dots in the name part), a name part that normalises to the same project.
 */
export function findWheel(files: readonly string[], distName: string, pep440: string): string | undefined {
  return find(files, wheelFileName(distName, pep440), distName, pep440, '.whl');
}

/**
 * The sdist: its PEP 625 name (`saltmarsh_hatch-1.0.0.tar.gz`), or the older spelling of
 * setuptools < 69.3 that keeps the project name as written (`saltmarsh-1.0.0.tar.gz`).
 */
export function findSdist(files: readonly string[], distName: string, pep440: string): string | undefined {
  return find(files, sdistFileName(distName, pep440), distName, pep440, '.tar.gz');
}

/** Distributions of this project the build wrote at another version than the release's. */
export function otherVersions(
  files: readonly string[],
  distName: string,
  pep440: string,
): Array<{ file: string; version: string }> {
  return files
    .map(parse)
    .filter((p): p is Parsed => p !== undefined && sameProject(p, distName) && p.version !== pep440)
    .map(({ file, version }) => ({ file, version }));
}
