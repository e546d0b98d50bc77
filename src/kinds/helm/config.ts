import path from 'node:path';
import * as z from 'zod';
import { parseOptions, relativePath } from '../../core/options.js';
import type { ConfigResult, StepContext } from '../../kind.js';
import type { Credentials } from '../../oci/client.js';
import { isLoopbackHost } from '../../oci/reference.js';
import { repositoryWebUrl } from '../../core/repository-url.js';
import { fillTemplate, renderRelease } from '../../version.js';
import { stackError } from './errors.js';

const indexSchema = z
  .object({
    /** Branch that holds the chart repository's index.yaml (created as an orphan if absent). */
    branch: z.string().min(1).optional(),
    /** Path of index.yaml inside that branch. */
    path: relativePath.optional(),
    /** Download URL of the chart file; `{gitTag}`, `{file}`, `{name}` and version placeholders. */
    url: z.string().min(1).optional(),
    /** Push attempts when the branch moved meanwhile (fetch, re-apply the entry, push). */
    pushAttempts: z.number().int().min(1).max(10).optional(),
  })
  .strict();

export const helmSchema = z
  .object({
    /** Chart directory (holds Chart.yaml). */
    chart: relativePath,
    /** Dotted key in values.yaml that holds the image tag; `false` leaves values.yaml alone. */
    imageTagKey: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** What `appVersion` becomes: the image tag (default), the chart version, or untouched. */
    appVersion: z.enum(['imageTag', 'chartVersion', 'pep440']).or(z.literal(false)).optional(),
    /** values file holding the image tag, relative to the chart directory. */
    valuesFile: relativePath.optional(),
    /** Package the chart into release-artifacts/<name>-<version>.tgz (default true). */
    package: z.boolean().optional(),
    /** Push the package to this OCI registry location (`oci://host[:port][/path]`). */
    oci: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** Plain HTTP to the OCI registry (default: only for loopback registries). */
    insecureRegistry: z.boolean().optional(),
    /** Keep a chart repository index.yaml up to date in a branch. */
    index: z.union([z.boolean(), indexSchema]).optional(),
  })
  .strict();

/** Where charts go in an OCI registry: `oci://<host>/<namespace>/<chart name>:<tag>`. */
export interface OciTarget {
  /** As written in `helm.oci`, without a trailing `/`. */
  location: string;
  /** Registry host (and port) as written. */
  host: string;
  /** Repository path below the host, '' when the charts sit at the top. */
  namespace: string;
  insecure: boolean;
  credentials: Credentials | undefined;
  /** Which variables the credentials came from (for messages). */
  credentialSource: 'HELM_REGISTRY_*' | 'DOCKER_REGISTRY_*' | undefined;
}

export interface IndexTarget {
  branch: string;
  path: string;
  url: string;
  pushAttempts: number;
}

export interface HelmConfig {
  chartDir: string;
  chartFile: string;
  valuesFile: string;
  imageTagKey: string | false;
  /** The user named imageTagKey; the default `image.tag` is only written where the values file has it. */
  imageTagKeyGiven: boolean;
  appVersion: 'imageTag' | 'chartVersion' | 'pep440' | false;
  package: boolean;
  oci: OciTarget | undefined;
  index: IndexTarget | undefined;
}

export const DEFAULT_INDEX_BRANCH = 'gh-pages';
export const DEFAULT_INDEX_PATH = 'index.yaml';
const RELEASE_DOWNLOAD = '/releases/download/{gitTag}/{file}';

const HOST =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const NAMESPACE = /^[a-z0-9]+(?:(?:\.|_{1,2}|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_{1,2}|-+)[a-z0-9]+)*)*$/;

/** Parses `oci://host[:port][/path]`; the chart name and tag are added per release. */
export function parseOciLocation(
  value: string,
): { ok: true; host: string; namespace: string } | { ok: false; problem: string } {
  if (!value.startsWith('oci://'))
    return { ok: false, problem: 'must start with `oci://`, e.g. `oci://registry.example.com/charts`' };
  const rest = value.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  const namespace = slash === -1 ? '' : rest.slice(slash + 1);
  if (!HOST.test(host)) return { ok: false, problem: `\`${host}\` is not a registry host` };
  if (/[@:]/.test(namespace))
    return { ok: false, problem: 'give the location only: the chart name and version tag are added' };
  if (namespace && !NAMESPACE.test(namespace)) {
    return {
      ok: false,
      problem: `\`${namespace}\` is not a valid repository path (lowercase letters and digits separated by ".", "_", "__" or "-", in "/"-separated parts)`,
    };
  }
  return { ok: true, host, namespace };
}

/** HELM_REGISTRY_USER/_PASSWORD, else the Docker pair; half a pair is an error, not a fallback. */
function credentialsOf(env: StepContext['env']): {
  credentials?: Credentials;
  source?: OciTarget['credentialSource'];
  errors: Error[];
} {
  const pairs = [
    ['HELM_REGISTRY_USER', 'HELM_REGISTRY_PASSWORD', 'HELM_REGISTRY_*'],
    ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD', 'DOCKER_REGISTRY_*'],
  ] as const;
  for (const [userVar, passwordVar, source] of pairs) {
    const username = env[userVar];
    const password = env[passwordVar];
    if (username && password) return { credentials: { username, password }, source, errors: [] };
    if (username || password) {
      const missing = username ? passwordVar : userVar;
      const given = username ? userVar : passwordVar;
      return { errors: [stackError('ECHARTREGISTRYCREDENTIALS', { missing, given })] };
    }
  }
  return { errors: [] };
}

function resolveOci(value: string, insecure: boolean | undefined, ctx: StepContext) {
  const parsed = parseOciLocation(value);
  if (!parsed.ok)
    return { errors: [stackError('EINVALIDOPTION', { option: 'helm.oci', problem: parsed.problem })] };
  const { credentials, source, errors } = credentialsOf(ctx.env);
  if (errors.length) return { errors };
  if (credentials) {
    ctx.redactor.add(credentials.password);
    ctx.redactor.add(`${credentials.username}:${credentials.password}`);
  }
  const target: OciTarget = {
    location: `oci://${parsed.host}${parsed.namespace ? `/${parsed.namespace}` : ''}`,
    host: parsed.host,
    namespace: parsed.namespace,
    insecure: insecure ?? isLoopbackHost(parsed.host),
    credentials,
    credentialSource: source,
  };
  return { target, errors: [] };
}

function resolveIndex(raw: true | z.output<typeof indexSchema>, ctx: StepContext) {
  const o = raw === true ? {} : raw;
  const errors: Error[] = [];
  const branch = o.branch ?? DEFAULT_INDEX_BRANCH;
  // The full ref-name rules are git's own: check() asks `git check-ref-format`.
  if (branch.startsWith('-'))
    errors.push(
      stackError('EINVALIDOPTION', { option: 'helm.index.branch', problem: 'must not start with "-"' }),
    );
  const indexPath = path.posix.normalize((o.path ?? DEFAULT_INDEX_PATH).replace(/\\/g, '/'));
  if (
    indexPath === '..' ||
    indexPath.startsWith('../') ||
    path.posix.isAbsolute(indexPath) ||
    indexPath.endsWith('/')
  )
    errors.push(
      stackError('EINVALIDOPTION', {
        option: 'helm.index.path',
        problem: 'must be a file path inside the branch, e.g. `index.yaml` or `charts/index.yaml`',
      }),
    );
  const web = repositoryWebUrl(ctx.options.repositoryUrl);
  const url = o.url ?? (web ? `${web}${RELEASE_DOWNLOAD}` : undefined);
  if (!url) {
    errors.push(
      stackError('EINVALIDOPTION', {
        option: 'helm.index.url',
        problem: `no default can be derived from the repositoryUrl \`${String(ctx.options.repositoryUrl)}\`; set it, e.g. \`https://github.com/<owner>/<repo>${RELEASE_DOWNLOAD}\``,
      }),
    );
  } else {
    try {
      fillTemplate(
        url,
        renderRelease('1.2.3'),
        { gitTag: 'v1.2.3', file: 'chart-1.2.3.tgz', name: 'chart' },
        'helm.index.url',
      );
    } catch (error) {
      errors.push(error as Error);
    }
  }
  if (errors.length || !url) return { errors };
  const target: IndexTarget = { branch, path: indexPath, url, pushAttempts: o.pushAttempts ?? 3 };
  return { target, errors };
}

export function resolveHelmConfig(raw: unknown, ctx: StepContext): ConfigResult<HelmConfig> {
  const parsed = parseOptions(helmSchema, raw, 'helm');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  const o = parsed.value;
  const chartDir = path.posix.normalize(o.chart.replace(/\\/g, '/')).replace(/\/$/, '');
  const packaged = o.package ?? true;
  const errors: Error[] = [];
  const oci = o.oci ? resolveOci(o.oci, o.insecureRegistry, ctx) : undefined;
  const index = o.index ? resolveIndex(o.index, ctx) : undefined;
  errors.push(...(oci?.errors ?? []), ...(index?.errors ?? []));
  for (const [option, on] of [
    ['helm.oci', !!o.oci],
    ['helm.index', !!o.index],
  ] as const) {
    if (on && !packaged)
      errors.push(
        stackError('EINVALIDOPTION', {
          option,
          problem: 'publishes the packaged chart, so `helm.package` must not be false',
        }),
      );
  }
  if (errors.length) return { config: undefined, errors };
  return {
    config: {
      chartDir,
      chartFile: path.posix.join(chartDir, 'Chart.yaml'),
      valuesFile: path.posix.join(chartDir, o.valuesFile ?? 'values.yaml'),
      imageTagKey: o.imageTagKey ?? 'image.tag',
      imageTagKeyGiven: o.imageTagKey !== undefined,
      appVersion: o.appVersion ?? 'imageTag',
      package: packaged,
      oci: oci?.target,
      index: index?.target,
    },
    errors: [],
  };
}
