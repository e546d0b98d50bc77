import path from 'node:path';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import { noPublish, type Outcome, type PublishResult, type ReleaseContext } from '../../kind.js';
import { sha256File, type Artifact, type Manifest } from '../../core/manifest.js';
import { pypiCredentials, type PublishTarget, type PythonConfig } from './config.js';
import { existingFiles, indexEndpoints, indexProjectName, type IndexClientOptions } from './pypi-index.js';
import { renderedValue } from '../../version.js';

/** What an upload would do given what the index already holds. */
export type UploadDecision =
  { action: 'upload' } | { action: 'skip' } | { action: 'conflict'; remoteSha256: string };

export function decideUpload(
  files: ReadonlyArray<{ filename: string; sha256: string | undefined }>,
  wheel: string,
  sha256: string,
): UploadDecision {
  const same = files.find((f) => f.filename === wheel);
  if (!same) return { action: 'upload' };
  // Without a hash the index cannot show the file is ours; replacing it is impossible anyway.
  if (same.sha256 === sha256.toLowerCase()) return { action: 'skip' };
  return { action: 'conflict', remoteSha256: same.sha256 ?? 'unknown (the index gives no sha256)' };
}

async function wheelOf(ctx: ReleaseContext, manifest: Manifest): Promise<{ record: Artifact; file: string }> {
  const record = manifest.artifacts.find((a) => a.kind === 'python' && a.type === 'wheel');
  if (!record?.path || !record.sha256) {
    throw stackError('EWHEELNOTFOUND', { wheel: 'the wheel', dir: 'the release manifest', produced: [] });
  }
  const file = path.resolve(ctx.root, record.path);
  const actual = await sha256File(file).catch(() => undefined);
  if (!actual)
    throw stackError('EWHEELNOTFOUND', { wheel: record.name, dir: path.dirname(record.path), produced: [] });
  if (actual.sha256 !== record.sha256) {
    throw stackError('EWHEELCHANGED', { path: record.path, expected: record.sha256, actual: actual.sha256 });
  }
  return { record, file };
}

async function twineUpload(config: PythonConfig, ctx: ReleaseContext, target: PublishTarget, file: string) {
  const credentials = pypiCredentials(ctx.env);
  if (!credentials)
    throw stackError('EPYPICREDENTIALS', { missing: ['PYPI_TOKEN', 'TWINE_USERNAME', 'TWINE_PASSWORD'] });
  // Credentials only in the child's environment; a null keyring so twine never asks a desktop store.
  const env = {
    TWINE_USERNAME: credentials.username,
    TWINE_PASSWORD: credentials.password,
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  };
  // The URL is always explicit, so TWINE_REPOSITORY(_URL) or ~/.pypirc cannot send the wheel to an
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
    await exec(ctx, config.interpreter, [...args, '--', file], { env });
  } catch (error) {
    if (isStackError(error) && error.code === 'ECOMMANDFAILED') {
      throw stackError('EPYPIUPLOAD', {
        file: path.basename(file),
        url: target.uploadUrl,
        details: error.details,
      });
    }
    throw error;
  }
}

function authorizationFor(ctx: ReleaseContext): string | undefined {
  const credentials = pypiCredentials(ctx.env);
  if (!credentials) return undefined;
  const pair = `${credentials.username}:${credentials.password}`;
  ctx.redactor.add(pair);
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/**
 * Uploads the wheel the manifest records, once: the index is asked first, an identical file there is
 * left alone and a different one is a conflict (EPYPICONFLICT: a published file can never be replaced).
 */
export async function publishWheel(
  config: PythonConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  client: Partial<IndexClientOptions> = {},
): Promise<PublishResult> {
  const target = config.publish;
  if (!target) return noPublish;
  const { record, file } = await wheelOf(ctx, manifest);
  const sha256 = record.sha256!;
  // The project as the wheel names it: the record is the truth about what is uploaded.
  const distName = record.name.split('-')[0]!;
  const version = renderedValue(ctx.release.versions.pep440);
  const endpoints = indexEndpoints(target.uploadUrl, distName, version);
  const lookup = await existingFiles(target.uploadUrl, distName, version, {
    fetch: ctx.http.request,
    authorization: authorizationFor(ctx),
    ...client,
  });
  const decision = decideUpload(lookup.files, record.name, sha256);
  if (decision.action === 'conflict') {
    const error = stackError('EPYPICONFLICT', {
      file: record.name,
      index: lookup.source,
      local: sha256,
      remote: decision.remoteSha256,
    });
    return { outcomes: [{ status: 'conflict', what: record.name, error }], artifacts: [] };
  }
  let outcome: Outcome;
  if (decision.action === 'skip') {
    const why = `is already on ${lookup.source} with the same sha256`;
    ctx.logger.log('%s %s; not uploading it again', record.name, why);
    outcome = { status: 'already-there', what: record.name, why };
  } else {
    await twineUpload(config, ctx, target, file);
    ctx.logger.success('Uploaded %s to %s', record.name, target.uploadUrl);
    outcome = { status: 'published', what: `${record.name} to ${target.uploadUrl}` };
  }
  return {
    outcomes: [outcome],
    artifacts: [{ kind: 'python', type: 'pypi', name: record.name, refs: [endpoints.project], sha256 }],
    release: {
      name: `Python package ${indexProjectName(distName)} ${version} on ${new URL(endpoints.project).host}`,
      url: endpoints.project,
    },
  };
}
