import { existsSync } from 'node:fs';
import path from 'node:path';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import type { StepContext } from '../../kind.js';
import { checkPath } from '../../files/safe-path.js';
import { checkUploadCredentials } from './pypi-auth.js';
import { pypiAuth, type PythonConfig } from './config.js';
import { checkTrustedPublishing } from './trusted-publishing.js';
import { buildRequirements, distributionName } from './project.js';

// Fixed Python source: what to look for travels in argv (`module:build`, `dist:setuptools`), so no
// user value is ever spliced into code. Prints each entry that is missing, one per line.
// Modules are found with find_spec, not imported: importing `build` is slow. Distributions are first
// looked up as the `.dist-info`/`.egg-info` folders importlib.metadata itself reads, because importing
// importlib.metadata (email, zipfile, csv…) is slow too (both: bench/notes/code-decisions.md); only a
// name not found that way goes to importlib.metadata, which also knows the rarer finders, so the
// answer stays its answer.
const PROBE = [
  'import os, sys',
  'from importlib.util import find_spec',
  'def normalized(name):',
  '    return name.lower().replace("-", "_").replace(".", "_")',
  'def installed(dist):',
  '    wanted = normalized(dist)',
  '    for folder in sys.path:',
  '        try:',
  '            children = os.listdir(folder or ".")',
  '        except OSError:',
  '            continue',
  '        for child in children:',
  '            stem, _, suffix = child.lower().rpartition(".")',
  '            if suffix in ("dist-info", "egg-info") and normalized(stem.partition("-")[0]) == wanted:',
  '                return True',
  '    from importlib.metadata import distribution',
  '    return distribution(dist) is not None',
  'for entry in sys.argv[1:]:',
  '    kind, _, name = entry.partition(":")',
  '    try:',
  '        found = find_spec(name) is not None if kind == "module" else installed(name)',
  '    except Exception:',
  '        found = False',
  '    if not found:',
  '        print(entry)',
].join('\n');

interface Requirement {
  entry: string;
  purpose: string;
  apt?: string;
  pip: string;
}

const MODULES = {
  build: { apt: 'apt-get install python3-build', pip: 'build' },
  setuptools: { apt: 'apt-get install python3-setuptools', pip: 'setuptools' },
  wheel: { apt: 'apt-get install python3-wheel', pip: 'wheel' },
  twine: { apt: 'apt-get install twine', pip: 'twine' },
} as const;

function moduleRequirement(config: PythonConfig, name: keyof typeof MODULES, purpose: string): Requirement {
  const { apt, pip } = MODULES[name];
  return { entry: `module:${name}`, purpose, apt, pip: `${config.interpreter} -m pip install ${pip}` };
}

async function requirements(config: PythonConfig, ctx: StepContext): Promise<Requirement[]> {
  const wanted: Requirement[] = [];
  if (config.build && config.builder === 'build') {
    wanted.push(moduleRequirement(config, 'build', 'build the wheel (`python -m build`)'));
    // Without isolation the backend must already be installed in the interpreter itself.
    if (!config.isolation) {
      for (const dist of await buildRequirements(ctx.root)) {
        const known = MODULES[dist.toLowerCase() as keyof typeof MODULES];
        wanted.push({
          entry: `dist:${dist}`,
          purpose: 'build without isolation (`[build-system] requires`)',
          ...(known ? { apt: known.apt } : {}),
          pip: `${config.interpreter} -m pip install ${dist}`,
        });
      }
    }
  }
  if (config.build && config.builder === 'setup.py') {
    wanted.push(moduleRequirement(config, 'setuptools', 'run `setup.py bdist_wheel`'));
    wanted.push(moduleRequirement(config, 'wheel', 'run `setup.py bdist_wheel`'));
  }
  if (config.publish)
    wanted.push(
      moduleRequirement(
        config,
        'twine',
        'check and upload the distributions (`python -m twine check`, `upload`)',
      ),
    );
  return wanted;
}

/** The interpreter runs, and has every module the configured build and upload import. */
async function checkInterpreter(config: PythonConfig, ctx: StepContext): Promise<Error[]> {
  const wanted = await requirements(config, ctx);
  const entries = wanted.map((r) => r.entry);
  let result;
  try {
    result = await exec(ctx, config.interpreter, ['-c', PROBE, ...entries], { quiet: true, reject: false });
  } catch (error) {
    if (isStackError(error) && error.code === 'ECOMMANDNOTFOUND') {
      return [stackError('EPYTHONMISSING', { interpreter: config.interpreter })];
    }
    throw error;
  }
  if (result.exitCode !== 0) {
    const reason = `does not run as Python (exit code ${result.exitCode}${result.stderr ? `: ${result.stderr.split('\n').at(-1)}` : ''})`;
    return [stackError('EPYTHONMISSING', { interpreter: config.interpreter, reason })];
  }
  const missing = new Set(result.stdout.split('\n').map((l) => l.trim()));
  return wanted
    .filter((r) => missing.has(r.entry))
    .map((r) =>
      stackError('EPYTHONMODULE', {
        module: r.entry.replace(/^\w+:/, ''),
        interpreter: config.interpreter,
        purpose: r.purpose,
        apt: r.apt,
        pip: r.pip,
      }),
    );
}

function checkSourceDateEpoch(ctx: StepContext): Error[] {
  const value = ctx.env.SOURCE_DATE_EPOCH;
  return value === undefined || value === '' || /^\d+$/.test(value)
    ? []
    : [stackError('ESOURCEDATEEPOCH', { value })];
}

async function checkBuild(
  config: PythonConfig,
  ctx: StepContext,
  interpreterRuns: boolean,
): Promise<Error[]> {
  const errors: Error[] = [...checkSourceDateEpoch(ctx)];
  if (config.builder === 'setup.py' && !existsSync(path.join(ctx.root, 'setup.py'))) {
    errors.push(
      stackError('EINVALIDOPTION', {
        option: 'python.builder',
        problem: '"setup.py" needs a setup.py at the repository root',
      }),
    );
  }
  const dist = await checkPath(ctx.root, config.distDir, 'python.distDir');
  if (!dist.ok) errors.push(dist.error);
  // Without a working interpreter `setup.py --name` would only repeat EPYTHONMISSING.
  if (interpreterRuns || config.distName) {
    await distributionName(config, ctx).catch((error: Error) => errors.push(error));
  }
  return errors;
}

async function checkCredentials(uploadUrl: string, ctx: StepContext): Promise<Error[]> {
  const auth = pypiAuth(ctx.env);
  if (auth.kind === 'credentials') return checkUploadCredentials(uploadUrl, auth.credentials, ctx);
  if (auth.kind === 'trusted-publishing') return checkTrustedPublishing(uploadUrl, auth.source, ctx);
  if (auth.actionsWithoutIdToken) return [stackError('EPYPIIDTOKENPERMISSION')];
  const missing = ['TWINE_USERNAME', 'TWINE_PASSWORD'].filter((name) => !ctx.env[name]);
  return [stackError('EPYPICREDENTIALS', { missing: ['PYPI_TOKEN', ...missing, 'PYPI_ID_TOKEN'] })];
}

/**
 * verifyConditions for the distributions, without a side effect: the interpreter and its modules,
 * the build's inputs, and the upload's credentials: a token the index accepts (an upload with no
 * file, which the index refuses either way — see pypi-auth.ts), or a complete Trusted Publishing
 * source and an index that offers it (never a minted token: it would expire before the upload).
 */
export async function checkPythonBuild(config: PythonConfig, ctx: StepContext): Promise<Error[]> {
  if (!config.build) return [];
  const [interpreter, credentials] = await Promise.all([
    checkInterpreter(config, ctx),
    config.publish ? checkCredentials(config.publish.uploadUrl, ctx) : [],
  ]);
  const runs = !interpreter.some((e) => isStackError(e) && e.code === 'EPYTHONMISSING');
  const build = await checkBuild(config, ctx, runs);
  return [...interpreter, ...build, ...credentials];
}
