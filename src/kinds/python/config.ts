import * as z from 'zod';
import { stackError } from './errors.js';
import { parseOptions, relativePath } from '../../core/options.js';
import { setEntrySchema, type SetEntry } from '../../core/version-fields.js';
import type { ConfigResult, StepContext } from '../../kind.js';
import { detectVersionSource, type VersionScheme } from './version-source.js';

const fileType = z.enum(['json', 'yaml', 'toml', 'setup.cfg', 'python']);

const versionFile = z.union([
  relativePath,
  z
    .object({
      path: relativePath,
      /** Dotted key of the version (`version`, `project.version`, `__version__`). */
      key: z.string().min(1).optional(),
      type: fileType.optional(),
      /** Other fields of the same file, e.g. the seed's `ignition-version` (core/version-fields.ts). */
      set: z.record(z.string(), setEntrySchema).optional(),
    })
    .strict(),
]);

const phase = z.enum(['a', 'b', 'rc', 'alpha', 'beta', 'c', 'pre', 'preview']);

/** A command or path to run; never something the child could read as an option. */
const command = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => !v.startsWith('-'), 'must not start with "-"')
  .refine((v) => !v.includes('\0'), 'must not contain NUL');

// PEP 508 project names: letters and digits, with `.`, `_` or `-` inside.
const DIST_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;
export const isDistName = (name: string): boolean => DIST_NAME.test(name);

function indexUrlProblem(value: string): string | undefined {
  if (value.startsWith('-')) return 'must not start with "-"';
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) return 'must be an http(s) URL';
  // Credentials in the URL would reach twine's argv; they belong in the environment.
  const url = new URL(value);
  if (url.username || url.password)
    return 'must not hold credentials; set PYPI_TOKEN or TWINE_USERNAME/TWINE_PASSWORD instead';
  return undefined;
}

const indexUrl = z.string().superRefine((value, ctx) => {
  const problem = indexUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const pythonSchema = z
  .object({
    versionFiles: z.array(versionFile).optional(),
    prereleaseMap: z.record(z.string(), phase).optional(),
    interpreter: command.optional(),
    isolation: z.boolean().optional(),
    builder: z.enum(['build', 'setup.py']).optional(),
    skipDependencyCheck: z.boolean().optional(),
    build: z.boolean().optional(),
    sdist: z.boolean().optional(),
    distName: z.string().regex(DIST_NAME, 'must be a PEP 508 project name').optional(),
    distDir: relativePath.optional(),
    publish: z.union([z.boolean(), z.object({ repositoryUrl: indexUrl }).strict()]).optional(),
  })
  .strict();

type VersionFileOption = z.infer<typeof versionFile>;

export interface VersionFileConfig {
  path: string;
  key: string | undefined;
  type: z.infer<typeof fileType> | undefined;
  set: Record<string, SetEntry>;
}

export interface PublishTarget {
  /** The legacy upload endpoint twine posts to. */
  uploadUrl: string;
  /** True for `https://upload.pypi.org/legacy/`, the default. */
  pypi: boolean;
}

export interface PythonConfig {
  versionFiles: VersionFileConfig[];
  prereleaseMap: Record<string, string>;
  interpreter: string;
  isolation: boolean;
  builder: 'build' | 'setup.py';
  /** `--skip-dependency-check` for an offline build whose backend's own dependencies are not installed. */
  skipDependencyCheck: boolean;
  build: boolean;
  /** Build (and upload) the source distribution next to the wheel. */
  sdist: boolean;
  /** Where the build backend takes the version from (see version-source.ts). */
  versionScheme: VersionScheme;
  /** Undefined: read from pyproject.toml, setup.cfg or `setup.py --name` when needed. */
  distName: string | undefined;
  distDir: string;
  publish: PublishTarget | undefined;
}

export const PYPI_UPLOAD_URL = 'https://upload.pypi.org/legacy/';

export interface PypiCredentials {
  username: string;
  password: string;
  /** Which variables they came from, for messages. */
  source: string;
}

/** Index credentials from the semantic-release env: `PYPI_TOKEN` first, then the twine pair. */
export function pypiCredentials(env: Record<string, string | undefined>): PypiCredentials | undefined {
  if (env.PYPI_TOKEN) return { username: '__token__', password: env.PYPI_TOKEN, source: 'PYPI_TOKEN' };
  if (env.TWINE_USERNAME && env.TWINE_PASSWORD) {
    return {
      username: env.TWINE_USERNAME,
      password: env.TWINE_PASSWORD,
      source: 'TWINE_USERNAME/TWINE_PASSWORD',
    };
  }
  return undefined;
}

/** Where an ID token for PyPI's Trusted Publishing comes from. */
export type IdTokenSource = 'PYPI_ID_TOKEN' | 'GitHub Actions';

/** How the upload authenticates: a static credential, Trusted Publishing, or nothing usable. */
export type PypiAuth =
  | { kind: 'credentials'; credentials: PypiCredentials }
  | { kind: 'trusted-publishing'; source: IdTokenSource }
  | { kind: 'none'; actionsWithoutIdToken: boolean };

/**
 * A token or twine pair wins; without one, Trusted Publishing from a ready ID token (`PYPI_ID_TOKEN`,
 * e.g. GitLab's `id_tokens`), else from GitHub Actions' OIDC provider. An Actions job has the
 * request variables only with `permissions: id-token: write`.
 */
export function pypiAuth(env: Record<string, string | undefined>): PypiAuth {
  const credentials = pypiCredentials(env);
  if (credentials) return { kind: 'credentials', credentials };
  if (env.PYPI_ID_TOKEN) return { kind: 'trusted-publishing', source: 'PYPI_ID_TOKEN' };
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    return { kind: 'trusted-publishing', source: 'GitHub Actions' };
  return { kind: 'none', actionsWithoutIdToken: env.GITHUB_ACTIONS === 'true' };
}

function publishTarget(publish: boolean | { repositoryUrl: string } | undefined): PublishTarget | undefined {
  if (!publish) return undefined;
  const uploadUrl = publish === true ? PYPI_UPLOAD_URL : publish.repositoryUrl;
  return { uploadUrl, pypi: uploadUrl === PYPI_UPLOAD_URL };
}

const invalid = (option: string, problem: string) => stackError('EINVALIDOPTION', { option, problem });

/**
 * Defaults: the version lives where the build backend reads it (pyproject.toml, hatchling's version
 * path), or in no file at all for setuptools-scm and hatch-vcs (see version-source.ts).
 */
export function resolvePythonConfig(raw: unknown, ctx: StepContext): ConfigResult<PythonConfig> {
  const parsed = parseOptions(pythonSchema, raw, 'python');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  const options = parsed.value;
  const errors: Error[] = [];
  const source = detectVersionSource(ctx.root);
  const detected = source.files.map((f): VersionFileOption =>
    f.type ? { path: f.path, type: f.type } : f.path,
  );
  const files = options.versionFiles ?? detected;
  const fromTags = source.scheme !== 'files';
  if (files.length === 0 && !fromTags) {
    errors.push(
      invalid(
        'python.versionFiles',
        'no file holds the version; name them, e.g. ["mypkg/pkg_info.json"] or ["pyproject.toml"]',
      ),
    );
  }
  const build = options.build ?? true;
  if (options.publish && !build) {
    errors.push(
      invalid('python.publish', 'uploading needs the wheel this kind builds; remove `"build": false`'),
    );
  }
  const isolation = options.isolation ?? true;
  const builder = options.builder ?? 'build';
  if (options.skipDependencyCheck && (isolation || builder !== 'build')) {
    errors.push(
      invalid(
        'python.skipDependencyCheck',
        'applies only to `python -m build --no-isolation`; set `"isolation": false` (and the default builder)',
      ),
    );
  }
  if (errors.length) return { config: undefined, errors };
  return {
    config: {
      versionFiles: files.map((f) =>
        typeof f === 'string'
          ? { path: f, key: undefined, type: undefined, set: {} }
          : { path: f.path, key: f.key, type: f.type, set: f.set ?? {} },
      ),
      versionScheme: source.scheme,
      prereleaseMap: options.prereleaseMap ?? {},
      interpreter: options.interpreter ?? 'python3',
      isolation,
      builder,
      skipDependencyCheck: options.skipDependencyCheck ?? false,
      build,
      sdist: options.sdist ?? true,
      distName: options.distName,
      distDir: options.distDir ?? 'dist',
      publish: publishTarget(options.publish),
    },
    errors: [],
  };
}
