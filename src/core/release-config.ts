import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { stackError } from '../errors.js';
import { KINDS } from '../kinds/index.js';

/**
 * The release configuration of `publish --tag --config <file>` (which replaces the options the
 * interrupted run recorded) read the way semantic-release 24 reads one file (JSON, YAML, JS; then
 * `extends` merged under it), without importing semantic-release's internals: the CLI must work
 * wherever this package is installed. Which file semantic-release would have found is not searched
 * for: the run's own options are in the release record.
 */
export type ReleaseOptions = Record<string, unknown>;

export interface LoadedConfig {
  /** The file the options came from. */
  file: string;
  options: ReleaseOptions;
}

const PACKAGE_NAME = 'semantic-release-stack';

/**
 * This package's root, to recognise its own entry points given as paths: the nearest folder up from
 * this module with our package.json (the same from src/ under the tests and from dist/).
 */
const PACKAGE_ROOT = (() => {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === PACKAGE_NAME) return dir;
    } catch {
      // no package.json here, or not ours
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
})();

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

async function readConfigFile(file: string): Promise<ReleaseOptions | undefined> {
  const base = path.basename(file);
  if (/\.(c|m)?js$/.test(base)) {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const value = module.default ?? module;
    return isObject(value) ? value : undefined;
  }
  const text = await readFile(file, 'utf8');
  if (base === 'package.json') {
    const release = (JSON.parse(text) as { release?: unknown }).release;
    return isObject(release) ? release : undefined;
  }
  // JSON is YAML: `.releaserc` may be either.
  const value: unknown = parseYaml(text);
  return isObject(value) ? value : undefined;
}

/** The shareable configs of `extends`, resolved from the config's directory; ours map to our own dist. */
async function loadExtends(name: string, fromDir: string): Promise<ReleaseOptions> {
  let target: string;
  if (name === `${PACKAGE_NAME}/preset`) {
    target = path.join(PACKAGE_ROOT, 'dist', 'preset.js');
  } else {
    try {
      target = createRequire(path.join(fromDir, 'noop.js')).resolve(name);
    } catch {
      throw stackError('ERESUMECONFIG', {
        reason: `the shareable configuration \`${name}\` (\`extends\`) cannot be found from ${fromDir}`,
      });
    }
  }
  const loaded = await readConfigFile(target);
  return loaded ?? {};
}

/** The options of `configFile`, with each `extends` merged underneath it, in order. */
export async function loadReleaseConfig(dir: string, configFile: string): Promise<LoadedConfig> {
  const file = path.resolve(dir, configFile);
  if (!existsSync(file)) throw stackError('ERESUMECONFIG', { reason: `\`${configFile}\` does not exist` });
  let own: ReleaseOptions | undefined;
  try {
    own = await readConfigFile(file);
  } catch (error) {
    throw stackError('ERESUMECONFIG', {
      reason: `\`${path.relative(dir, file) || file}\` cannot be read: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  if (!own) throw stackError('ERESUMECONFIG', { reason: `\`${configFile}\` holds no configuration` });
  const { extends: extendsOption, ...rest } = own;
  const names = extendsOption === undefined ? [] : [extendsOption].flat();
  let merged: ReleaseOptions = {};
  for (const name of names) {
    if (typeof name !== 'string') continue;
    merged = { ...merged, ...(await loadExtends(name, path.dirname(file))) };
  }
  return { file, options: { ...merged, ...dropNil(rest) } };
}

const dropNil = (o: ReleaseOptions): ReleaseOptions =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/** One `plugins` entry that is this package: the composite, or one kind's standalone entry point. */
export interface StackEntry {
  /** `composite`, or the kind's entry (`python`, `docker`, `dev-version`…). */
  entry: string;
  config: Record<string, unknown>;
}

/** Our entry points' files: the composite, and each kind's standalone plugin in its folder. */
const ENTRY_FILES: Record<string, string> = Object.fromEntries([
  ['dist/index.js', 'composite'],
  ...KINDS.map((k) => [`dist/kinds/${k.entry}/plugin.js`, k.entry]),
]);

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Which of our entry points a plugin name designates: by package name, or by a path to our dist. */
export function stackEntryOf(name: string, configDir: string): string | undefined {
  if (name === PACKAGE_NAME) return 'composite';
  if (name.startsWith(`${PACKAGE_NAME}/`)) {
    const entry = name.slice(PACKAGE_NAME.length + 1);
    return Object.values(ENTRY_FILES).includes(entry) && entry !== 'composite' ? entry : undefined;
  }
  if (!(name.startsWith('.') || path.isAbsolute(name))) return undefined;
  const target = realpathOr(path.resolve(configDir, name));
  if (target === realpathOr(PACKAGE_ROOT)) return 'composite';
  for (const [file, entry] of Object.entries(ENTRY_FILES)) {
    if (target === realpathOr(path.join(PACKAGE_ROOT, file))) return entry;
  }
  return undefined;
}

/** Every entry of `plugins` that is this package, with its options, in the order listed. */
export function stackEntries(options: ReleaseOptions, configDir: string): StackEntry[] {
  const plugins = Array.isArray(options.plugins) ? options.plugins : [];
  const entries: StackEntry[] = [];
  for (const plugin of plugins) {
    const [name, config] = Array.isArray(plugin) ? plugin : [plugin, {}];
    if (typeof name !== 'string') continue;
    const entry = stackEntryOf(name, configDir);
    if (entry) entries.push({ entry, config: isObject(config) ? config : {} });
  }
  return entries;
}
