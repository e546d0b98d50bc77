import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import { followsFrom } from '../../files/index.js';
import type { StepContext } from '../../kind.js';
import { isDistName, type PythonConfig } from './config.js';

/** What the build needs to know about the Python project at the repository root. */

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

type Pyproject = {
  project?: { name?: unknown };
  tool?: { poetry?: { name?: unknown } };
  'build-system'?: { requires?: unknown };
};

async function readPyproject(root: string): Promise<Pyproject | undefined> {
  const text = await readText(path.join(root, 'pyproject.toml'));
  if (text === undefined) return undefined;
  // Loaded only for a project that has a pyproject.toml (its load time: bench/notes/code-decisions.md).
  const { getStaticTOMLValue, parseTOML } = await import('toml-eslint-parser');
  try {
    return getStaticTOMLValue(parseTOML(text)) as Pyproject;
  } catch (error) {
    const problem = stackError('EDISTNAME', {
      reason: `pyproject.toml cannot be parsed (${(error as Error).message})`,
    });
    throw followsFrom(problem, ['pyproject.toml']);
  }
}

/** `name` in the `[metadata]` section of setup.cfg (the INI subset setuptools reads). */
export function setupCfgName(text: string): string | undefined {
  let section: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) section = header[1]!.trim();
    else if (section === 'metadata' && /^name\s*[=:]/.test(line))
      return line.replace(/^name\s*[=:]\s*/, '').trim();
  }
  return undefined;
}

async function setupPyName(config: PythonConfig, ctx: StepContext): Promise<string> {
  const result = await exec(ctx, config.interpreter, ['setup.py', '--name'], { quiet: true, reject: false });
  if (result.exitCode !== 0) {
    const last =
      result.stderr
        .split('\n')
        .filter((l) => l.trim())
        .at(-1) ?? `exit code ${result.exitCode}`;
    const problem = stackError('EDISTNAME', {
      reason: `\`${config.interpreter} setup.py --name\` failed (${last.trim()})`,
    });
    // setup.py usually reads the version file (the seed's reads pkg_info.json): a broken one is the cause.
    throw followsFrom(
      problem,
      config.versionFiles.map((f) => f.path),
    );
  }
  return (
    result.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}

/**
 * The distribution name: the option, else pyproject.toml (`[project]` or `[tool.poetry]`), else
 * setup.cfg `[metadata]`, else what setup.py says.
 */
export async function distributionName(config: PythonConfig, ctx: StepContext): Promise<string> {
  if (config.distName) return config.distName;
  const pyproject = await readPyproject(ctx.root);
  const fromToml = pyproject?.project?.name ?? pyproject?.tool?.poetry?.name;
  let found: { name: unknown; source: string } | undefined;
  if (fromToml !== undefined) found = { name: fromToml, source: 'pyproject.toml' };
  const cfg = found ? undefined : await readText(path.join(ctx.root, 'setup.cfg'));
  const fromCfg = cfg === undefined ? undefined : setupCfgName(cfg);
  if (!found && fromCfg) found = { name: fromCfg, source: 'setup.cfg [metadata] name' };
  if (!found && (await readText(path.join(ctx.root, 'setup.py'))) !== undefined) {
    found = { name: await setupPyName(config, ctx), source: 'setup.py --name' };
  }
  if (!found)
    throw stackError('EDISTNAME', { reason: 'no pyproject.toml, setup.cfg or setup.py names the project' });
  if (typeof found.name !== 'string' || !isDistName(found.name)) {
    throw stackError('EDISTNAME', {
      reason: `${found.source} gives \`${String(found.name)}\`, not a PEP 508 project name`,
    });
  }
  return found.name;
}

/** `[build-system] requires` as bare distribution names; setuptools' legacy default without one. */
export async function buildRequirements(root: string): Promise<string[]> {
  const requires = (await readPyproject(root))?.['build-system']?.requires;
  if (!Array.isArray(requires)) return ['setuptools', 'wheel'];
  return requires
    .filter((r): r is string => typeof r === 'string')
    .map((r) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r)?.[1])
    .filter((name): name is string => name !== undefined);
}
