import path from 'node:path';
import { stackError } from '../errors.js';
import { exec, type ExecContext } from '../exec.js';
import { artifactTypeOrder, publishedTypes, type Outcome } from '../kind.js';
import { KINDS } from '../kinds/index.js';
import type { Logger } from '../logger.js';
import { createRedactor } from '../redact.js';
import { restoreSigstoreBundles } from '../sign/resume.js';
import { isLatest } from '../version.js';
import type { SrContext } from './context.js';
import { gitAuthUrl } from './git-auth-url.js';
import { readManifest, saveManifest, type Artifact } from './manifest.js';
import { loadReleaseConfig, stackEntries, type ReleaseOptions } from './release-config.js';
import type { ReleaseRecord } from './release-record.js';
import { checkoutTag } from './resume-checkout.js';
import { resumeGithubRelease, resumeGithubTarget, usesGithub } from './resume-github.js';
import { pluginsFor, resumeSuccess, summaryOf } from './resume-plugins.js';
import { probeOf, recordedRelease, releasedVersions, tagCommitOf } from './resume-release.js';

/**
 * `semantic-release-stack publish --tag vX.Y.Z`: finishes a release whose tag is pushed but whose
 * publish failed (semantic-release itself never re-runs it: the tag makes the next run see nothing to
 * release). What the interrupted run decided — options, branch, channel, commits, released versions
 * — is read from the record in its claim on the tag (release-record.ts). The tag is checked out into
 * a worktree of the repository (resume-checkout.ts: the repository's own git configuration applies,
 * its work tree is never written); there the plugin's own steps run with the recorded context
 * (verifyConditions, verifyRelease, prepare, publish, success). Publishing is idempotent per kind:
 * what the registry or index already holds with the same digest is skipped, a different one stops
 * the run with the kind's conflict code.
 */
export interface ResumeOptions {
  /** Where to run: inside the repository (the CLI's working directory). */
  cwd: string;
  /** The environment: credentials, DOCKER_HOST… (the CLI passes its own). */
  env: Record<string, string | undefined>;
  tag: string;
  /** Replaces the recorded options with this file's. */
  configFile?: string;
  dryRun?: boolean;
  /** Replaces the recorded branch's name (where the development version goes). */
  branch?: string;
  /** Replaces the recorded commit the artifacts were built from. */
  gitHead?: string;
  logger: Logger;
}

export type ResumedBranch = ReleaseRecord['branch'];

export interface ResumeOutcome {
  tag: string;
  version: string;
  tagCommit: string;
  gitHead: string;
  branch: ResumedBranch;
  /** What was already there and left alone (the kinds' `already-there` outcomes, GitHub's assets). */
  skipped: string[];
  /** What this run pushed or uploaded (the kinds' `published` outcomes, GitHub's). */
  published: string[];
  /** Artifacts of publishing kinds after the run (with their pushed digests). */
  artifacts: Artifact[];
  /** Kinds left out because they publish nothing (and, without a GitHub release, feed nothing). */
  leftOut: string[];
  /** The GitHub release, when the configuration has one (@semantic-release/github). */
  githubRelease: string | undefined;
  dryRun: boolean;
}

async function repositoryRoot(ctx: ExecContext): Promise<string> {
  const result = await exec(ctx, 'git', ['rev-parse', '--show-toplevel'], { quiet: true, reject: false });
  if (result.exitCode !== 0)
    throw stackError('ERESUMETAG', { tag: '(any)', reason: `${ctx.cwd} is not inside a git repository` });
  return result.stdout.trim();
}

/** The recorded options, or those of `--config`; with the folder their relative plugin paths start from. */
async function releaseOptionsOf(
  options: ResumeOptions,
  record: ReleaseRecord,
  root: string,
): Promise<{ releaseOptions: ReleaseOptions; configDir: string; from: string }> {
  if (!options.configFile)
    return { releaseOptions: record.options, configDir: root, from: 'the release record' };
  const loaded = await loadReleaseConfig(options.cwd, options.configFile);
  return { releaseOptions: loaded.options, configDir: path.dirname(loaded.file), from: options.configFile };
}

export async function resumePublish(options: ResumeOptions): Promise<ResumeOutcome> {
  const redactor = createRedactor(options.env);
  const base: ExecContext = { cwd: options.cwd, env: options.env, logger: options.logger, redactor };
  const root = await repositoryRoot(base);
  const tagCommit = await tagCommitOf({ ...base, cwd: root }, options.tag);
  const checkout = await checkoutTag({ ...base, cwd: root }, root, tagCommit);
  try {
    const ctx: ExecContext = { ...base, cwd: checkout.dir };
    const { record, claim, origin } = await recordedRelease(ctx, options.tag, tagCommit);
    const { releaseOptions, configDir, from } = await releaseOptionsOf(options, record, root);
    const entries = stackEntries(releaseOptions, configDir);
    if (entries.length === 0) throw stackError('ERESUMENOSTACK', { file: from });
    const withGithub = usesGithub(releaseOptions);
    const { runs, leftOut } = pluginsFor(entries, releaseOptions, withGithub);

    const tagFormat = typeof releaseOptions.tagFormat === 'string' ? releaseOptions.tagFormat : 'v${version}';
    const version = record.version;
    const gitHead = options.gitHead ?? record.builtFrom;
    const branch: ResumedBranch = { ...record.branch, ...(options.branch ? { name: options.branch } : {}) };
    // Releases made after the interrupted one count too (their channel unknown: as the default's).
    const later = (await releasedVersions(ctx, tagFormat)).filter(
      (v) => !record.releasedVersions.includes(v),
    );
    const released = [...record.releasedVersions, ...later];
    const onDefault = [...record.defaultChannelVersions, ...later];
    // Where semantic-release pushed: the same URL, with the same token when it needed one.
    const given = record.repositoryUrl ?? origin.url;
    const pushUrl =
      given === origin.url ? origin.pushUrl : await gitAuthUrl(ctx, given, probeOf(options.tag));
    const github = { options: releaseOptions, env: options.env, repositoryUrl: given, tag: options.tag };
    if (withGithub) resumeGithubTarget(github);

    options.logger.log(
      'Resuming %s (%s) as recorded by the interrupted run: tag at %s, artifacts built from %s, branch %s (%s%s), options from %s%s',
      options.tag,
      version,
      tagCommit.slice(0, 12),
      gitHead.slice(0, 12),
      branch.name,
      branch.type,
      branch.channel ? `, channel ${branch.channel}` : '',
      from,
      leftOut.length ? `; left out (nothing to publish): ${leftOut.join(', ')}` : '',
    );

    await checkout.atBuiltFrom(gitHead);
    const context: SrContext = {
      cwd: checkout.dir,
      env: options.env,
      logger: options.logger,
      // As semantic-release hands them: the push URL (with its token, if any) and the URL as given.
      options: {
        ...releaseOptions,
        tagFormat,
        repositoryUrl: pushUrl,
        originalRepositoryURL: given,
        dryRun: options.dryRun === true,
      },
      branch: { ...branch },
      branches: [
        { tags: released.map((v) => ({ version: v, channels: onDefault.includes(v) ? [null] : [] })) },
      ],
      nextRelease: { version, gitTag: options.tag, gitHead, channel: record.channel ?? null },
    };
    for (const run of runs) await run.plugin.verifyConditions(run.config, context);
    for (const run of runs) await run.plugin.verifyRelease(run.config, context);
    let skipped: string[] = [];
    let published: string[] = [];
    const artifactsDir = path.join(checkout.dir, 'release-artifacts');
    if (!options.dryRun) {
      for (const run of runs) await run.plugin.prepare(run.config, context);
      await adoptClaim(artifactsDir, claim, options.logger);
      if (withGithub)
        await restoreSigstoreBundles(
          artifactsDir,
          resumeGithubTarget(github),
          options.tag,
          options.logger,
          options.env,
        );
      const outcomes: Outcome[] = [];
      for (const run of runs)
        outcomes.push(...(await run.plugin.publishReport(run.config, context)).outcomes);
      ({ skipped, published } = summaryOf(outcomes, redactor));
    }
    let githubRelease: string | undefined;
    if (withGithub) {
      const done = await resumeGithubRelease({
        ...github,
        dir: checkout.dir,
        version,
        notes: record.notes,
        prerelease: branch.type === 'prerelease',
        latest: isLatest({ version, branch: branch.type, channel: record.channel }, onDefault),
        dryRun: options.dryRun === true,
        logger: options.logger,
      });
      githubRelease = done.url;
      skipped.push(...done.skipped);
      published.push(...done.published);
    }
    if (!options.dryRun) {
      await checkout.atTag();
      const done = await resumeSuccess(runs, context, redactor);
      skipped.push(...done.skipped);
      published.push(...done.published);
    }
    const manifest = await readManifest(artifactsDir);
    const artifacts = (manifest?.artifacts ?? []).filter((a) => publishedTypes(KINDS).includes(a.type));
    return {
      tag: options.tag,
      version,
      tagCommit,
      gitHead,
      branch,
      skipped,
      published,
      artifacts,
      leftOut,
      githubRelease,
      dryRun: options.dryRun === true,
    };
  } catch (error) {
    throw redactor.redactError(error);
  } finally {
    await checkout.remove();
  }
}

/**
 * The interrupted run claimed the tag (release-lock.ts) before it failed; continuing that run, this
 * one pushes the same claim again (as "up to date") instead of being refused as a concurrent release.
 */
async function adoptClaim(artifactsDir: string, claim: string, logger: Logger): Promise<void> {
  const manifest = await readManifest(artifactsDir);
  if (!manifest) return;
  manifest.lock = claim;
  await saveManifest(artifactsDir, manifest, artifactTypeOrder(KINDS));
  logger.log('Continuing the claim %s the interrupted run pushed for %s', claim, manifest.gitTag);
}
