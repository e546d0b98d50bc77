import path from 'node:path';
import * as z from 'zod';
import { stackError } from './errors.js';
import { parseOptions, relativePath } from '../../core/options.js';
import type { ConfigResult, StepContext } from '../../kind.js';
import { isLoopbackHost, parseImageName, type ImageName } from '../../oci/reference.js';
import { fillTemplate, isImageTag, renderRelease } from '../../version.js';
import { BUILDER_NAMES, type BuilderName, type Credentials } from './builders/builder.js';
import { credentialsOf, isGhcr, type CredentialSource, type GithubRegistryTest } from './credentials.js';

export { isGhcr, type CredentialSource, type GithubRegistryTest } from './credentials.js';

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const envName = z.string().regex(ENV_NAME, 'an environment variable name is a shell-style identifier');

/** Which environment variables hold an image's registry login (their names, never the values). */
const credentialsSchema = z.object({ user: envName, password: envName }).strict();

/**
 * One image. `docker` is this object, or an array of them (several images per release). Every
 * option is per image; a new per-image option is one line here and one in resolveImage.
 */
export const imageSchema = z
  .object({
    image: z.string().min(1, 'must not be empty'),
    context: relativePath.optional(),
    dockerfile: relativePath.optional(),
    wheelsDir: z.union([relativePath, z.literal(false)]).optional(),
    builder: z.enum(BUILDER_NAMES).optional(),
    platforms: z
      .array(z.string().regex(PLATFORM, 'a platform is `os/arch[/variant]`, e.g. `linux/arm64`'))
      .optional(),
    buildArgs: z
      .record(z.string().regex(BUILD_ARG_NAME, 'a build arg name is a shell-style identifier'), z.string())
      .optional(),
    labels: z
      .record(z.string().regex(LABEL_KEY, 'a label key is letters, digits and `._/-`'), z.string())
      .optional(),
    secrets: z
      .array(
        z.union([
          envName,
          z
            .object({
              id: z.string().regex(SECRET_ID, 'a secret id is letters, digits and `._-`'),
              env: envName,
            })
            .strict(),
        ]),
      )
      .optional(),
    floatingTags: z.array(z.string().min(1)).optional(),
    channelTags: z.boolean().optional(),
    push: z.boolean().optional(),
    insecureRegistry: z.boolean().optional(),
    credentials: credentialsSchema.optional(),
    /** Dotted key in `valuesFile` that pins this image's tag in the chart. */
    imageTagKey: z.string().min(1).optional(),
    valuesFile: relativePath.optional(),
    cache: z.boolean().optional(),
  })
  .strict();

/** The docker kind's options: one image or several, each resolved on its own. */
export interface DockerConfig {
  images: ImageConfig[];
}

export interface ImageConfig {
  /** How messages name this image's options: `docker` (the object form) or `docker[1]`. */
  option: string;
  image: ImageName;
  /** Build context, repository-relative. */
  context: string;
  dockerfile: string;
  /** Where the wheels go, repository-relative (inside the context); false: no wheel staging. */
  wheelsDir: string | false;
  builder: BuilderName;
  platforms: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** Build secrets (`RUN --mount=type=secret,id=…`): each id's value is read from an env var. */
  secrets: BuildSecret[];
  floatingTags: string[];
  channelTags: boolean;
  push: boolean;
  /** Plain HTTP to the registry (default: only for loopback registries). */
  insecureRegistry: boolean;
  /** Reuse the layers of this branch's last released image (build-cache.ts). */
  cache: boolean;
  credentials: Credentials | undefined;
  credentialSource: CredentialSource;
  /** A GitHub Container Registry: a 403 there is EGHCRPERMISSION (the package's access settings). */
  githubRegistry: boolean;
  /** The chart values key that pins this image's tag, and the file (repository-relative). */
  imageTagKey: { key: string; file: string } | undefined;
  /**
   * The image of this release whose build this one shares (same context, Dockerfile, args, labels,
   * secrets, platforms, builder, wheels): it is tagged and pushed, not built again. Itself when it
   * builds; the first image of each distinct build builds.
   */
  buildOf: string;
}

export interface BuildSecret {
  id: string;
  /** The environment variable that holds the value; only its name is ever passed to the builder. */
  env: string;
}

/** Every secret's variable set; its value registered with the redactor (also when named plainly). */
function secretsOf(
  raw: Array<string | BuildSecret>,
  ctx: StepContext,
  option: string,
): { secrets: BuildSecret[]; errors: Error[] } {
  const secrets = raw.map((s) => (typeof s === 'string' ? { id: s, env: s } : s));
  const errors: Error[] = [];
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (seen.has(secret.id))
      errors.push(
        stackError('EINVALIDOPTION', {
          option: `${option}.secrets`,
          problem: `the id \`${secret.id}\` is given twice`,
        }),
      );
    seen.add(secret.id);
    const value = ctx.env[secret.env];
    if (!value)
      errors.push(
        stackError('EDOCKERSECRET', {
          id: secret.id,
          reason: `the environment variable \`${secret.env}\` is not set`,
        }),
      );
    else ctx.redactor.add(value);
  }
  return { secrets, errors };
}

const normalize = (p: string) => path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/$/, '') || '.';

// A build arg is stored in the image's history for anyone who pulls it.
const SECRET_ARG_NAME = /token|password|passwd|secret|key|credential|auth/i;

function secretArgErrors(buildArgs: Record<string, string>, ctx: StepContext): Error[] {
  return Object.entries(buildArgs).flatMap(([name, value]) => {
    if (SECRET_ARG_NAME.test(name))
      return [stackError('EDOCKERSECRETARG', { name, reason: 'its name says it holds a secret' })];
    if (ctx.redactor.redact(value) !== value) {
      return [
        stackError('EDOCKERSECRETARG', {
          name,
          reason: 'its value is one of the secrets in the environment',
        }),
      ];
    }
    return [];
  });
}

/** Every template must render to a valid tag; checked with a sample version before any release. */
function templateErrors(templates: readonly string[], option: string): Error[] {
  const sample = renderRelease('1.2.3');
  return templates.flatMap((template, index) => {
    try {
      const tag = fillTemplate(template, sample, {}, `${option}[${index}]`);
      return isImageTag(tag)
        ? []
        : [
            stackError('EINVALIDOPTION', {
              option: `${option}[${index}]`,
              problem: `\`${template}\` does not give a valid image tag (e.g. \`${tag}\`)`,
            }),
          ];
    } catch (error) {
      return [error as Error];
    }
  });
}

function valueTemplateErrors(values: Record<string, string>, option: string): Error[] {
  const sample = renderRelease('1.2.3');
  return Object.entries(values).flatMap(([key, value]) => {
    try {
      fillTemplate(value, sample, {}, `${option}.${key}`);
      return [];
    } catch (error) {
      return [error as Error];
    }
  });
}

/** Where an image's `imageTagKey` is written when `valuesFile` is not given. */
export const DEFAULT_VALUES_FILE = 'chart/values.yaml';

type ImageOptions = z.output<typeof imageSchema>;

/** One image's defaults: the context `docker`, its `Dockerfile`, wheels in `<context>/whls`. */
function resolveImage(
  o: ImageOptions,
  option: string,
  ctx: StepContext,
  githubRegistry: GithubRegistryTest,
): { image?: ImageConfig; errors: Error[] } {
  const errors: Error[] = [];
  const image = parseImageName(o.image);
  if (!image.ok) errors.push(stackError('EINVALIDIMAGE', { image: o.image, problem: image.problem }));
  const context = normalize(o.context ?? 'docker');
  const wheels = o.wheelsDir === false ? false : normalize(o.wheelsDir ?? 'whls');
  if (wheels && (wheels === '..' || wheels.startsWith('../') || path.posix.isAbsolute(wheels))) {
    errors.push(
      stackError('EINVALIDOPTION', {
        option: `${option}.wheelsDir`,
        problem: 'must be a folder inside the build context',
      }),
    );
  }
  if (o.valuesFile !== undefined && o.imageTagKey === undefined)
    errors.push(
      stackError('EINVALIDOPTION', {
        option: `${option}.valuesFile`,
        problem: 'names the file `imageTagKey` is written into; set `imageTagKey` too',
      }),
    );
  const buildArgs = o.buildArgs ?? {};
  const labels = o.labels ?? {};
  errors.push(...secretArgErrors(buildArgs, ctx));
  const { secrets, errors: secretErrors } = secretsOf(o.secrets ?? [], ctx, option);
  errors.push(...secretErrors);
  errors.push(...templateErrors(o.floatingTags ?? [], `${option}.floatingTags`));
  errors.push(
    ...valueTemplateErrors(buildArgs, `${option}.buildArgs`),
    ...valueTemplateErrors(labels, `${option}.labels`),
  );
  const github = image.ok && githubRegistry(image.image.registry);
  const login = credentialsOf(o.credentials, github, ctx);
  errors.push(...login.errors);
  if (errors.length || !image.ok) return { errors };
  const config: ImageConfig = {
    option,
    image: image.image,
    context,
    dockerfile: normalize(o.dockerfile ?? path.posix.join(context, 'Dockerfile')),
    wheelsDir: wheels === false ? false : path.posix.join(context, wheels),
    builder: o.builder ?? 'docker',
    platforms: [...new Set(o.platforms ?? [])],
    buildArgs,
    labels,
    secrets,
    floatingTags: o.floatingTags ?? ['latest'],
    channelTags: o.channelTags ?? true,
    push: o.push ?? true,
    insecureRegistry: o.insecureRegistry ?? isLoopbackHost(image.image.apiHost),
    cache: o.cache ?? false,
    credentials: login.credentials,
    credentialSource: login.source,
    githubRegistry: github,
    imageTagKey: o.imageTagKey
      ? { key: o.imageTagKey, file: normalize(o.valuesFile ?? DEFAULT_VALUES_FILE) }
      : undefined,
    buildOf: image.image.name,
  };
  return { image: config, errors: [] };
}

/** What makes two images one build: everything the builder is given, except the name. */
export const buildKey = (c: ImageConfig): string =>
  JSON.stringify([
    c.builder,
    c.context,
    c.dockerfile,
    c.wheelsDir,
    c.buildArgs,
    c.labels,
    c.secrets,
    c.platforms,
  ]);

/** Several images: each parsed on its own, so a problem names its image (`docker[1].contxt`). */
export function resolveDockerConfig(
  raw: unknown,
  ctx: StepContext,
  githubRegistry: GithubRegistryTest = isGhcr,
): ConfigResult<DockerConfig> {
  const entries: Array<[unknown, string]> = Array.isArray(raw)
    ? raw.map((item, i): [unknown, string] => [item, `docker[${i}]`])
    : [[raw, 'docker']];
  if (entries.length === 0)
    return {
      config: undefined,
      errors: [stackError('EINVALIDOPTION', { option: 'docker', problem: 'an empty array names no image' })],
    };
  const errors: Error[] = [];
  const images: ImageConfig[] = [];
  for (const [item, option] of entries) {
    const parsed = parseOptions(imageSchema, item, option);
    if (!parsed.value) {
      errors.push(...parsed.errors);
      continue;
    }
    const resolved = resolveImage(parsed.value, option, ctx, githubRegistry);
    errors.push(...resolved.errors);
    if (resolved.image) images.push(resolved.image);
  }
  errors.push(...duplicateErrors(images));
  if (errors.length) return { config: undefined, errors };
  const builds = new Map<string, string>();
  for (const image of images) {
    const key = buildKey(image);
    image.buildOf = builds.get(key) ?? image.image.name;
    builds.set(key, image.buildOf);
  }
  return { config: { images }, errors: [] };
}

/** The same name twice would push the same tags twice; one values key can pin only one image. */
function duplicateErrors(images: readonly ImageConfig[]): Error[] {
  const errors: Error[] = [];
  images.forEach((image, i) => {
    const first = images.findIndex((other) => other.image.name === image.image.name);
    if (first < i)
      errors.push(
        stackError('EINVALIDOPTION', {
          option: `${image.option}.image`,
          problem: `\`${image.image.name}\` is also ${images[first]!.option}'s image`,
        }),
      );
    const pin = image.imageTagKey;
    const same = images.findIndex(
      (other) => other.imageTagKey?.key === pin?.key && other.imageTagKey?.file === pin?.file,
    );
    if (pin && same < i)
      errors.push(
        stackError('EINVALIDOPTION', {
          option: `${image.option}.imageTagKey`,
          problem: `\`${pin.key}\` in ${pin.file} is also ${images[same]!.option}'s`,
        }),
      );
  });
  return errors;
}
