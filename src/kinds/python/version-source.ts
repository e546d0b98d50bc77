import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the project's build backend takes the version from, read from pyproject.toml without
 * configuration:
 * - `[project] version` or `[tool.poetry] version`: pyproject.toml itself;
 * - hatchling with `[tool.hatch.version] path = "…"`: that file's `__version__`;
 * - setuptools-scm or hatch-vcs (`dynamic = ["version"]`): git tags. No file holds the version;
 *   the build is told the release version through setuptools-scm's pretend variables, and there is
 *   no development version to write back.
 * Anything else falls back to pyproject.toml, whose editor then explains what to configure; a
 * backend that still builds another version is stopped by the Version check after the build.
 */
export type VersionScheme = 'files' | 'setuptools-scm' | 'hatch-vcs';

export interface VersionSource {
  scheme: VersionScheme;
  /** Files that hold the version when `versionFiles` is not given (repository-relative). */
  files: Array<{ path: string; type?: 'python' }>;
}

interface Pyproject {
  project?: { version?: unknown; dynamic?: unknown };
  tool?: {
    poetry?: { version?: unknown };
    hatch?: { version?: { source?: unknown; path?: unknown } };
    setuptools_scm?: unknown;
    'setuptools-scm'?: unknown;
  };
  'build-system'?: { requires?: unknown; 'build-backend'?: unknown };
}

const PYPROJECT = { path: 'pyproject.toml' };
const SCM_REQUIREMENT = /^\s*setuptools[-_.]scm\b/i;

/** pyproject.toml as data; undefined when there is none or it does not parse (its editor says why). */
function readPyproject(root: string): Pyproject | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(root, 'pyproject.toml'), 'utf8');
  } catch {
    return undefined;
  }
  // Option resolution is synchronous; the parser is loaded only for a project that has the file.
  const require = createRequire(import.meta.url);
  const toml = require('toml-eslint-parser') as typeof import('toml-eslint-parser');
  try {
    return toml.getStaticTOMLValue(toml.parseTOML(text)) as Pyproject;
  } catch {
    return undefined;
  }
}

export function versionSourceOf(pyproject: Pyproject | undefined): VersionSource {
  if (!pyproject) return { scheme: 'files', files: [PYPROJECT] };
  const dynamic = pyproject.project?.dynamic;
  const isDynamic = Array.isArray(dynamic) && dynamic.includes('version');
  if (!isDynamic || typeof pyproject.project?.version === 'string') {
    return { scheme: 'files', files: [PYPROJECT] };
  }
  const backend = String(pyproject['build-system']?.['build-backend'] ?? '');
  const hatchVersion = pyproject.tool?.hatch?.version;
  if (backend.startsWith('hatchling')) {
    if (hatchVersion?.source === 'vcs') return { scheme: 'hatch-vcs', files: [] };
    if (typeof hatchVersion?.path === 'string' && (hatchVersion.source ?? 'regex') === 'regex') {
      return { scheme: 'files', files: [{ path: hatchVersion.path, type: 'python' }] };
    }
  }
  const requires = pyproject['build-system']?.requires;
  const scmRequired = Array.isArray(requires) && requires.some((r) => SCM_REQUIREMENT.test(String(r)));
  const scmTable =
    pyproject.tool?.setuptools_scm !== undefined || pyproject.tool?.['setuptools-scm'] !== undefined;
  if (scmTable || (scmRequired && !backend.startsWith('hatchling')))
    return { scheme: 'setuptools-scm', files: [] };
  return { scheme: 'files', files: [PYPROJECT] };
}

/** The version source of the project at `root`; without a pyproject.toml no file is assumed. */
export function detectVersionSource(root: string): VersionSource {
  if (!existsSync(path.join(root, 'pyproject.toml'))) return { scheme: 'files', files: [] };
  return versionSourceOf(readPyproject(root));
}

/**
 * The environment that gives setuptools-scm (and hatch-vcs, which runs it) the release version:
 * the variable named for the distribution (setuptools-scm ≥ 8 normalises the name as PEP 503 and
 * upper-cases it with `_`), and the plain one that older versions and hatch-vcs read.
 */
export function pretendVersionEnv(distName: string, pep440: string): Record<string, string> {
  const suffix = distName.replace(/[-_.]+/g, '_').toUpperCase();
  return {
    [`SETUPTOOLS_SCM_PRETEND_VERSION_FOR_${suffix}`]: pep440,
    SETUPTOOLS_SCM_PRETEND_VERSION: pep440,
  };
}
