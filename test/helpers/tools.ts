/**
 * Locating the real tools the integration tests drive.
 *
 * The project rule: a missing tool makes the test FAIL with a message that says how to install
 * it. Nothing here skips.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';

/** Debian's interpreter: the one that has python3-build, python3-setuptools, twine… */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Install hints shared by the helpers (Debian 12 package names). */
export const INSTALL_HINTS = {
  git: 'apt-get install git',
  docker: 'apt-get install docker.io (the docker CLI and dockerd)',
  dockerd: 'apt-get install docker.io',
  registry: 'apt-get install docker-registry',
  htpasswd: 'apt-get install apache2-utils',
  python: 'apt-get install python3',
  build: 'apt-get install python3-build python3-setuptools python3-wheel',
  twine: 'apt-get install twine',
  busybox: 'apt-get install busybox-static',
  openssl: 'apt-get install openssl',
  tinyproxy: 'apt-get install tinyproxy-bin (the proxy the proxy tests send through)',
} as const;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Searches PATH (or takes an absolute path as is); returns the path or undefined. */
export function findTool(name: string, path: string | undefined = process.env.PATH): string | undefined {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : undefined;
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Resolves `name` (a command on PATH, or an absolute path) to an executable path, or throws
 * `Error("<name> is missing: <installHint>")`.
 */
export async function requireTool(name: string, installHint: string): Promise<string> {
  const found = findTool(name);
  if (!found) throw new Error(`${name} is missing: ${installHint}`);
  return found;
}

/**
 * Checks that `python` can import `module` (e.g. `build`, `twine`); throws
 * `Error("python module <module> is missing: <installHint>")` otherwise.
 */
export async function requirePythonModule(
  module: string,
  installHint: string,
  python: string = SYSTEM_PYTHON,
): Promise<string> {
  const interpreter = await requireTool(python, INSTALL_HINTS.python);
  const result = await execa(interpreter, ['-c', `import ${module}`], { reject: false });
  if (result.exitCode !== 0) {
    throw new Error(`python module ${module} (for ${interpreter}) is missing: ${installHint}`);
  }
  return interpreter;
}
