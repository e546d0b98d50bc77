import path from 'node:path';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import { noPublish, type Outcome, type PublishResult, type ReleaseContext } from '../../kind.js';
import { sha256File, type Artifact, type Manifest } from '../../core/manifest.js';
import { pypiAuth, type PublishTarget, type PypiCredentials, type PythonConfig } from './config.js';
import { existingFiles, indexEndpoints, indexProjectName, type IndexClientOptions } from './pypi-index.js';
import { mintUploadToken, type OidcClientOptions } from './trusted-publishing.js';
import { renderedValue } from '../../version.js';

/** What an upload would do given what the index already holds. */
export type UploadDecision =
  { action: 'upload' } | { action: 'skip' } | { action: 'conflict'; remoteSha256: string };

export function decideUpload(
  files: ReadonlyArray<{ filename: string; sha256: string | undefined }>,
  name: string,
  sha256: string,
): UploadDecision {
  const same = files.find((f) => f.filename === name);
  if (!same) return { action: 'upload' };
  // Without a hash the index cannot show the file is ours; replacing it is impossible anyway.
  if (same.sha256 === sha256.toLowerCase()) return { action: 'skip' };
  return { action: 'conflict', remoteSha256: same.sha256 ?? 'unknown (the index gives no sha256)' };
}

interface Distribution {
  record: Artifact & { path: string; sha256: string };
  file: string;
}

/** The wheel and sdist prepare recorded, each still the file it recorded. */
async function distributionsOf(config: PythonConfig, ctx: ReleaseContext, manifest: Manifest) {
  const ofType = (type: 'wheel' | 'sdist') =>
    manifest.artifacts.find((a) => a.kind === 'python' && a.type === type && a.path && a.sha256);
  const wheel = ofType('wheel');
  if (!wheel)
    throw stackError('EWHEELNOTFOUND', { wheel: 'the wheel', dir: 'the release manifest', produced: [] });
  const sdist = ofType('sdist');
  if (config.sdist && !sdist) {
    throw stackError('ESDISTNOTFOUND', { sdist: 'the sdist', dir: 'the release manifest', produced: [] });
  }
  const records = [wheel, ...(sdist ? [sdist] : [])] as Distribution['record'][];
  return Promise.all(
    records.map(async (record): Promise<Distribution> => {
      const file = path.resolve(ctx.root, record.path);
      const actual = await sha256File(file).catch(() => undefined);
      if (!actual) {
        const missing = { dir: path.dirname(record.path), produced: [] };
        throw record.type === 'wheel'
          ? stackError('EWHEELNOTFOUND', { wheel: record.name, ...missing })
          : stackError('ESDISTNOTFOUND', { sdist: record.name, ...missing });
      }
      if (actual.sha256 !== record.sha256) {
        throw stackError('EWHEELCHANGED', {
          path: record.path,
          expected: record.sha256,
          actual: actual.sha256,
        });
      }
      return { record, file };
    }),
  );
}

/** The upload credential: the configured one, or a token minted through Trusted Publishing now. */
async function uploadCredentials(
  target: PublishTarget,
  ctx: ReleaseContext,
  client: OidcClientOptions,
): Promise<PypiCredentials> {
  const auth = pypiAuth(ctx.env);
  if (auth.kind === 'credentials') return auth.credentials;
  if (auth.kind === 'trusted-publishing') {
    return mintUploadToken(target.uploadUrl, auth.source, { ...ctx, tag: ctx.release.gitTag }, client);
  }
  if (auth.actionsWithoutIdToken) throw stackError('EPYPIIDTOKENPERMISSION');
  throw stackError('EPYPICREDENTIALS', {
    missing: ['PYPI_TOKEN', 'TWINE_USERNAME', 'TWINE_PASSWORD', 'PYPI_ID_TOKEN'],
  });
}

async function twineUpload(
  config: PythonConfig,
  ctx: ReleaseContext,
  target: PublishTarget,
  credentials: PypiCredentials,
  files: string[],
) {
  // Credentials only in the child's environment; a null keyring so twine never asks a desktop store.
  const env = {
    TWINE_USERNAME: credentials.username,
    TWINE_PASSWORD: credentials.password,
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  };
  // The URL is always explicit, so TWINE_REPOSITORY(_URL) or ~/.pypirc cannot send the files to an
  // index other than the one just asked about.
  const args = [
    '-m',
    'twine',
    'upload',
    '--non-interactive',
    '--disable-progress-bar',
    '--repository-url',
    target.uploadUrl,
  ];
  try {
    await exec(ctx, config.interpreter, [...args, '--', ...files], { env });
  } catch (error) {
    if (isStackError(error) && error.code === 'ECOMMANDFAILED') {
      throw stackError('EPYPIUPLOAD', {
        file: files.map((f) => path.basename(f)).join(', '),
        url: target.uploadUrl,
        details: error.details,
      });
    }
    throw error;
  }
}

/** Basic credentials for the look-up on a private index; Trusted Publishing indexes are read openly. */
function authorizationFor(ctx: ReleaseContext): string | undefined {
  const auth = pypiAuth(ctx.env);
  if (auth.kind !== 'credentials') return undefined;
  const pair = `${auth.credentials.username}:${auth.credentials.password}`;
  ctx.redactor.add(pair);
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/**
 * Uploads the wheel and the sdist the manifest records, once: the index is asked first, an identical
 * file there is left alone and a different one is a conflict (EPYPICONFLICT: a published file can
 * never be replaced; then nothing is uploaded). What is left goes up in one twine run, with a Trusted
 * Publishing token minted just before it when that is how the job authenticates.
 */
export async function publishDistributions(
  config: PythonConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  client: Partial<IndexClientOptions & OidcClientOptions> = {},
): Promise<PublishResult> {
  const target = config.publish;
  if (!target) return noPublish;
  const distributions = await distributionsOf(config, ctx, manifest);
  // The project as the wheel names it: the record is the truth about what is uploaded.
  const distName = distributions[0]!.record.name.split('-')[0]!;
  const version = renderedValue(ctx.release.versions.pep440);
  const endpoints = indexEndpoints(target.uploadUrl, distName, version);
  const lookup = await existingFiles(target.uploadUrl, distName, version, {
    fetch: ctx.http.request,
    authorization: authorizationFor(ctx),
    ...client,
  });
  const decisions = distributions.map((d) => ({
    ...d,
    decision: decideUpload(lookup.files, d.record.name, d.record.sha256),
  }));
  const conflicts: Outcome[] = decisions.flatMap(({ record, decision }) =>
    decision.action === 'conflict'
      ? [
          {
            status: 'conflict' as const,
            what: record.name,
            error: stackError('EPYPICONFLICT', {
              file: record.name,
              index: lookup.source,
              local: record.sha256,
              remote: decision.remoteSha256,
            }),
          },
        ]
      : [],
  );
  if (conflicts.length) return { outcomes: conflicts, artifacts: [] };
  const outcomes: Outcome[] = [];
  for (const { record, decision } of decisions) {
    if (decision.action !== 'skip') continue;
    const why = `is already on ${lookup.source} with the same sha256`;
    ctx.logger.log('%s %s; not uploading it again', record.name, why);
    outcomes.push({ status: 'already-there', what: record.name, why });
  }
  const uploads = decisions.filter((d) => d.decision.action === 'upload');
  if (uploads.length) {
    const credentials = await uploadCredentials(target, ctx, client);
    await twineUpload(
      config,
      ctx,
      target,
      credentials,
      uploads.map((u) => u.file),
    );
    for (const { record } of uploads) {
      ctx.logger.success('Uploaded %s to %s', record.name, target.uploadUrl);
      outcomes.push({ status: 'published', what: `${record.name} to ${target.uploadUrl}` });
    }
  }
  return {
    outcomes,
    artifacts: distributions.map(({ record }) => ({
      kind: 'python',
      type: 'pypi',
      name: record.name,
      refs: [endpoints.project],
      sha256: record.sha256,
    })),
    release: {
      name: `Python package ${indexProjectName(distName)} ${version} on ${new URL(endpoints.project).host}`,
      url: endpoints.project,
    },
  };
}
