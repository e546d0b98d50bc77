import path from 'node:path';
import * as z from 'zod';
import { stackError } from './errors.js';
import { parseOptions, relativePath } from '../../core/options.js';
import type { ConfigResult, StepContext } from '../../kind.js';
import { isLoopbackHost, parseImageName, type ImageName } from '../../oci/reference.js';
import { fillTemplate, isImageTag, renderRelease } from '../../version.js';
import { BUILDER_NAMES, type BuilderName, type Credentials } from './builders/builder.js';

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const envName = z.string().regex(ENV_NAME, 'an environment variable name is a shell-style identifier');

export const dockerSchema = z
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
  })
  .strict();

export interface DockerConfig {
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
  credentials: Credentials | undefined;
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
): { secrets: BuildSecret[]; errors: Error[] } {
  const secrets = raw.map((s) => (typeof s === 'string' ? { id: s, env: s } : s));
  const errors: Error[] = [];
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (seen.has(secret.id))
      errors.push(
        stackError('EINVALIDOPTION', {
          option: 'docker.secrets',
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

function credentialsOf(env: StepContext['env']): { credentials?: Credentials; errors: Error[] } {
  const username = env.DOCKER_REGISTRY_USER;
  const password = env.DOCKER_REGISTRY_PASSWORD;
  if (username && password) return { credentials: { username, password }, errors: [] };
  if (username || password) {
    const missing = username ? 'DOCKER_REGISTRY_PASSWORD' : 'DOCKER_REGISTRY_USER';
    return { errors: [stackError('EDOCKERCREDENTIALS', { missing })] };
  }
  return { errors: [] };
}

/** All defaults in one place: the context `docker`, its `Dockerfile`, wheels in `<context>/whls`. */
export function resolveDockerConfig(raw: unknown, ctx: StepContext): ConfigResult<DockerConfig> {
  const parsed = parseOptions(dockerSchema, raw, 'docker');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  const o = parsed.value;
  const errors: Error[] = [];
  const image = parseImageName(o.image);
  if (!image.ok) errors.push(stackError('EINVALIDIMAGE', { image: o.image, problem: image.problem }));
  const context = normalize(o.context ?? 'docker');
  const wheels = o.wheelsDir === false ? false : normalize(o.wheelsDir ?? 'whls');
  if (wheels && (wheels === '..' || wheels.startsWith('../') || path.posix.isAbsolute(wheels))) {
    errors.push(
      stackError('EINVALIDOPTION', {
        option: 'docker.wheelsDir',
        problem: 'must be a folder inside the build context',
      }),
    );
  }
  const buildArgs = o.buildArgs ?? {};
  const labels = o.labels ?? {};
  errors.push(...secretArgErrors(buildArgs, ctx));
  const { secrets, errors: secretErrors } = secretsOf(o.secrets ?? [], ctx);
  errors.push(...secretErrors);
  errors.push(...templateErrors(o.floatingTags ?? [], 'docker.floatingTags'));
  errors.push(
    ...valueTemplateErrors(buildArgs, 'docker.buildArgs'),
    ...valueTemplateErrors(labels, 'docker.labels'),
  );
  const { credentials, errors: credentialErrors } = credentialsOf(ctx.env);
  errors.push(...credentialErrors);
  if (errors.length || !image.ok) return { config: undefined, errors };
  return {
    config: {
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
      credentials,
    },
    errors: [],
  };
}
