import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Artifact, Manifest } from '../core/manifest.js';
import type { ReleaseContext } from '../kind.js';
import { SIGN_KIND } from './files.js';
import { repositoryWebUrl } from '../core/repository-url.js';
import {
  sha256Hex,
  SLSA_PROVENANCE_PREDICATE,
  STATEMENT_TYPE,
  type Statement,
  type Subject,
} from './statement.js';

/**
 * SLSA Provenance v1 of a release, as an in-toto Statement: its subjects are every artifact of the
 * release manifest (files by sha256, pushed images and charts by manifest digest); the predicate says
 * what was built from where (repository, tag and commit), how (the release's options) and by whom
 * (the GitHub Actions workflow run, when there is one). No time is recorded, so the same release
 * always makes the same statement and a re-run recognises the one it signed.
 */
export const BUILD_TYPE =
  'https://github.com/semantic-release-stack/semantic-release-stack/blob/main/README.md#signing-provenance-and-sboms';
const PACKAGE = 'semantic-release-stack';

export function packageVersion(): string {
  try {
    const file = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The subject an artifact contributes, if it is a file with a sha256 or a pushed digest. */
export function subjectOf(artifact: Artifact): Subject | undefined {
  if (artifact.path && artifact.sha256)
    return { name: path.basename(artifact.path), digest: { sha256: artifact.sha256 } };
  const hex = artifact.digest ? sha256Hex(artifact.digest) : undefined;
  if (hex) return { name: artifact.name, digest: { sha256: hex } };
  return undefined;
}

/**
 * Every artifact the provenance covers: files (the SBOMs too) and pushed digests, not the Sigstore
 * bundles themselves nor the records of what was attached to a registry.
 */
export const coveredArtifacts = (manifest: Manifest): Artifact[] =>
  manifest.artifacts.filter(
    (a) => a.type !== 'sigstore-bundle' && !(a.kind === SIGN_KIND && !a.path) && subjectOf(a),
  );

function githubRun(env: ReleaseContext['env']) {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY) return undefined;
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const repo = env.GITHUB_REPOSITORY;
  const run = env.GITHUB_RUN_ID
    ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : undefined;
  const workflowRef = env.GITHUB_WORKFLOW_REF; // owner/repo/.github/workflows/release.yml@refs/heads/main
  return {
    builderId: workflowRef ? `${server}/${workflowRef}` : `${server}/${repo}/actions`,
    invocationId: run,
    workflow: workflowRef
      ? {
          ref: workflowRef.split('@').slice(1).join('@'),
          repository: `${server}/${repo}`,
          path: workflowRef.split('@')[0]!.slice(repo.length + 1),
        }
      : undefined,
    internal: {
      github: Object.fromEntries(
        (
          [
            ['event_name', env.GITHUB_EVENT_NAME],
            ['repository_id', env.GITHUB_REPOSITORY_ID],
            ['repository_owner_id', env.GITHUB_REPOSITORY_OWNER_ID],
            ['runner_environment', env.RUNNER_ENVIRONMENT],
          ] as const
        ).filter(([, v]) => v),
      ),
    },
  };
}

export function provenanceStatement(
  ctx: ReleaseContext,
  manifest: Manifest,
  options: Record<string, unknown>,
): Statement {
  const repository = repositoryWebUrl(ctx.options.repositoryUrl) ?? String(ctx.options.repositoryUrl ?? '');
  const run = githubRun(ctx.env);
  const version = packageVersion();
  const subjects = coveredArtifacts(manifest)
    .map(subjectOf)
    .filter((s): s is Subject => s !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    _type: STATEMENT_TYPE,
    subject: subjects,
    predicateType: SLSA_PROVENANCE_PREDICATE,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          repository,
          ref: `refs/tags/${ctx.release.gitTag}`,
          version: ctx.release.version,
          branch: ctx.branch.name,
          ...(ctx.release.channel ? { channel: ctx.release.channel } : {}),
          ...(run?.workflow ? { workflow: run.workflow } : {}),
          options,
        },
        ...(run ? { internalParameters: run.internal } : {}),
        resolvedDependencies: [
          {
            uri: `git+${repository}@refs/heads/${ctx.branch.name}`,
            digest: { gitCommit: ctx.release.gitHead },
          },
        ],
      },
      runDetails: {
        builder: {
          id: run?.builderId ?? `https://www.npmjs.com/package/${PACKAGE}`,
          version: { [PACKAGE]: version },
        },
        metadata: run?.invocationId ? { invocationId: run.invocationId } : {},
      },
    },
  };
}

const SECRET_KEY = /credential|password|passwd|token|secret|private|auth/i;

/**
 * The resolved options of every kind, fit for a public document: keys that hold credentials are
 * dropped, and any secret the redactor knows is masked in what is left.
 */
export function publicOptions(
  configs: ReadonlyArray<{ kind: { name: string }; config: unknown }>,
  ctx: ReleaseContext,
): Record<string, unknown> {
  const text = JSON.stringify(
    Object.fromEntries(configs.map((c) => [c.kind.name, c.config])),
    (key, value: unknown) => (SECRET_KEY.test(key) || typeof value === 'function' ? undefined : value),
  );
  // Paths as the repository knows them: a resumed release runs in another checkout.
  const relative = (text ?? '{}').split(JSON.stringify(ctx.root).slice(1, -1)).join('.');
  return JSON.parse(ctx.redactor.redact(relative)) as Record<string, unknown>;
}
