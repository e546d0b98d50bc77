import { stackError, throwAll } from '../errors.js';
import path from 'node:path';
import { applyEdits, withoutConsequences } from '../files/index.js';
import { restoreOnExit } from '../files/restore-on-exit.js';
import {
  artifactTypeOrder,
  type ArtifactKind,
  type Outcome,
  type ReleaseContext,
  type StepContext,
} from '../kind.js';
import { KINDS } from '../kinds/index.js';
import { createCaches } from './caches.js';
import { releaseContext, stepContext, type RenderOptions, type SrContext } from './context.js';
import { checkHistory } from './history.js';
import {
  checkArtifactFiles,
  mergeArtifacts,
  mergeFields,
  openManifest,
  readManifest,
  saveManifest,
  type Manifest,
} from './manifest.js';
import {
  outputsAtPublish,
  outputsAtSuccess,
  outputsAtVerifyConditions,
  outputsAtVerifyRelease,
} from '../outputs/index.js';
import { formatPlan, planEdits } from './plan.js';
import { checkSigning, planSigning, signRelease } from '../sign/index.js';
import { prepareConcurrently } from './prepare-order.js';
import { publishInOrder, releaseObject, type ReleaseObject } from './publish.js';
import { claimRelease } from './release-lock.js';
import { resolveKinds, type Active, type AnyKind } from './sections.js';
import { renderingErrors } from './renderings.js';
import { checkVersionFields, releaseValues, toEdits } from './version-fields.js';
import { channelProblems, renderingProblems } from '../version.js';

type StepFn<R> = (pluginConfig: Record<string, unknown>, context: SrContext) => Promise<R>;

/** A semantic-release plugin: the lifecycle functions semantic-release looks for. */
export interface Plugin {
  verifyConditions: StepFn<void>;
  verifyRelease: StepFn<void>;
  prepare: StepFn<void>;
  publish: StepFn<ReleaseObject | false>;
  addChannel: StepFn<ReleaseObject | false>;
  success: StepFn<void>;
  /** publish, with what happened to each thing published (a resumed release reports it). */
  publishReport: StepFn<{ outcomes: Outcome[]; release: ReleaseObject | false }>;
  /**
   * success for a resumed release (`publish --tag`): kinds whose success step is already done
   * (`successDone`) are left out, with why; what the others did.
   */
  resumeSuccess: StepFn<{ skipped: string[]; outcomes: Outcome[] }>;
}

export interface PluginOptions {
  /** Every kind of the package (the manifest's artifact order); default: the list of kinds. */
  all?: readonly ArtifactKind<never>[];
}

/**
 * Builds a plugin instance from a list of kinds. The composite reads one section per kind (`python`,
 * `docs`…); a standalone plugin is the same machinery over a single kind whose options are the whole
 * config. Nothing of a release is kept between steps in memory (only the instance's caches): each step
 * resolves its options again from what semantic-release hands it, and artifacts travel through the
 * release manifest on disk, so plugins of one run (or a resumed run) see the same state.
 */
export function createPlugin(
  kinds: readonly AnyKind[],
  mode: 'composite' | 'standalone',
  { all = KINDS }: PluginOptions = {},
): Plugin {
  const caches = createCaches();
  const files = { caches: caches.files };
  const typeOrder = artifactTypeOrder(all);
  const save = (ctx: StepContext, manifest: Manifest) => saveManifest(ctx.artifactsDir, manifest, typeOrder);

  function renderOptions(active: Active[]): RenderOptions {
    return Object.assign(
      {},
      ...active.map(({ kind, config }) => kind.versionOptions?.(config) ?? {}),
    ) as RenderOptions;
  }

  function fieldsOf(active: Active[], ctx: StepContext) {
    return active.flatMap(({ kind, config }) => kind.versionFields?.(config, ctx) ?? []);
  }

  async function resolveForRelease(pluginConfig: Record<string, unknown>, context: SrContext) {
    const base = stepContext(context, caches);
    const { active, errors, sign } = resolveKinds(kinds, mode, pluginConfig, base);
    throwAll(errors);
    return { active, sign, ctx: releaseContext(context, renderOptions(active), caches) };
  }

  /**
   * The manifest of the release this step is about, or undefined: semantic-release also calls
   * success after only adding a channel to an existing release (e.g. the first run of a maintenance
   * branch); nothing was built or published for it here.
   */
  async function builtManifest(ctx: ReleaseContext): Promise<Manifest | undefined> {
    const manifest = await readManifest(ctx.artifactsDir);
    const channel = ctx.release.channel ?? null;
    if (manifest && manifest.version === ctx.release.version && (manifest.channel ?? channel) === channel)
      return manifest;
    ctx.logger.log('Nothing was built for %s in this run; no success step to do.', ctx.release.version);
    return undefined;
  }

  async function runSuccess(active: Active[], ctx: ReleaseContext, manifest: Manifest): Promise<Outcome[]> {
    const errors: Error[] = [];
    const outcomes: Outcome[] = [];
    for (const { kind, config } of active) {
      if (!kind.success) continue;
      try {
        outcomes.push(...(await kind.success(config, ctx, manifest)));
      } catch (error) {
        errors.push(ctx.redactor.redactError(error as Error));
      }
    }
    throwAll(errors);
    return outcomes;
  }

  /**
   * Each kind's publish in list order. A conflict (something else already published under the
   * same name) stops the run there with its coded error: later kinds publish nothing.
   */
  async function publishAll(pluginConfig: Record<string, unknown>, context: SrContext) {
    const { active, sign, ctx } = await resolveForRelease(pluginConfig, context);
    const manifest = await manifestFor(ctx);
    try {
      throwAll(await checkArtifactFiles(ctx.root, manifest));
      // The first run to claim the tag publishes; a concurrent one stops here (ECONCURRENT).
      if (
        active.some(({ kind }) => kind.publish) &&
        (await claimRelease(ctx, manifest, context.nextRelease?.notes))
      )
        await save(ctx, manifest);
      const { outcomes, releases } = await publishInOrder(
        active,
        ({ kind, config }) => kind.publish?.(config, ctx, manifest),
        async (result) => {
          mergeArtifacts(manifest, result.artifacts);
          await save(ctx, manifest);
        },
      );
      // After every push, before @semantic-release/github attaches release-artifacts/.
      if (sign) {
        mergeArtifacts(manifest, await signRelease(sign, ctx, manifest, active));
        await save(ctx, manifest);
      }
      await outputsAtPublish(ctx, manifest);
      return { outcomes, release: releaseObject(releases, ctx) };
    } catch (error) {
      throw ctx.redactor.redactError(error);
    }
  }

  return {
    async verifyConditions(pluginConfig, context) {
      const ctx = stepContext(context, caches);
      const { active, errors, sign } = resolveKinds(kinds, mode, pluginConfig, ctx);
      if (sign) errors.push(...checkSigning(ctx));
      // On a prerelease branch the channel is known before any version is: a rendering it makes
      // impossible stops the kinds that need it now, before anything is built.
      const channel = ctx.branch.prerelease;
      if (channel)
        errors.push(...renderingErrors(active, ctx, channelProblems(channel, renderOptions(active))).errors);
      const checks = await Promise.all([
        // A check that throws instead of returning its problems must not hide the others'.
        ...active.map(({ kind, config }) =>
          (kind.check?.(config, ctx) ?? Promise.resolve([])).catch(problems),
        ),
        // Every version file must exist, parse and hold its key; nothing is written.
        checkVersionFields(ctx.root, fieldsOf(active, ctx), caches.files),
        outputsAtVerifyConditions(ctx),
      ]);
      errors.push(...checks.flat());
      throwAll(withoutConsequences(errors).map((e) => ctx.redactor.redactError(e)));
    },

    async verifyRelease(pluginConfig, context) {
      const { active, sign, ctx } = await resolveForRelease(pluginConfig, context);
      // A kind stopped by a rendering it cannot get is not asked for its own checks: they read it.
      const unrenderable = renderingErrors(active, ctx, renderingProblems(ctx.release.versions));
      const checked = active.filter((entry) => !unrenderable.blocked.has(entry));
      const problems = (
        await Promise.all([
          checkHistory(ctx),
          ...checked.map(({ kind, config }) => kind.checkRelease?.(config, ctx) ?? []),
        ])
      ).flat();
      throwAll([...unrenderable.errors, ...problems]);
      const edits = await planEdits(ctx, fieldsOf(active, ctx));
      const lines = (
        await Promise.all(active.map(({ kind, config }) => kind.plan?.(config, ctx) ?? []))
      ).flat();
      if (sign) lines.push(...planSigning(sign, ctx));
      for (const line of formatPlan(ctx, [...edits, ...lines])) ctx.logger.log('%s', line);
      await outputsAtVerifyRelease(ctx);
    },

    async prepare(pluginConfig, context) {
      const { active, ctx } = await resolveForRelease(pluginConfig, context);
      const manifest = await openManifest(ctx.artifactsDir, ctx.release);
      const fields = fieldsOf(active, ctx);
      const edits = toEdits(fields, releaseValues(ctx.release.versions));
      // A job cancelled before prepare is done (SIGTERM/SIGINT/SIGHUP) gets its version files back too.
      const stopGuard = await restoreOnExit(
        ctx.root,
        edits.map((e) => e.path),
        ctx.logger,
      );
      const changes = await applyEdits(ctx.root, edits, files).catch((error: unknown) => {
        stopGuard();
        throw error;
      });
      for (const c of changes)
        ctx.logger.log('Set %s %s: %s → %s', c.path, c.key, c.oldValue ?? '(added)', c.newValue);
      mergeFields(manifest, fields);
      try {
        await prepareConcurrently(active, ctx, manifest);
      } catch (error) {
        // A failed build must not leave the tree at a version that was never released.
        await applyEdits(
          ctx.root,
          changes.map((c) => ({ path: c.path, key: c.key, value: c.oldValue, option: c.path })),
          files,
        );
        throw ctx.redactor.redactError(error);
      } finally {
        await save(ctx, manifest).finally(stopGuard);
      }
    },

    async publish(pluginConfig, context) {
      return (await publishAll(pluginConfig, context)).release;
    },

    publishReport: publishAll,

    async addChannel(pluginConfig, context) {
      const { active, ctx } = await resolveForRelease(pluginConfig, context);
      const movers = active.filter(({ kind }) => kind.addChannel);
      // verifyRelease does not run before addChannel: the renderings it reads are checked here.
      throwAll(renderingErrors(movers, ctx, renderingProblems(ctx.release.versions)).errors);
      try {
        const { releases } = await publishInOrder(movers, ({ kind, config }) =>
          kind.addChannel?.(config, ctx),
        );
        return releaseObject(releases, ctx);
      } catch (error) {
        throw ctx.redactor.redactError(error);
      }
    },

    async success(pluginConfig, context) {
      const { active, ctx } = await resolveForRelease(pluginConfig, context);
      const manifest = await builtManifest(ctx);
      if (!manifest) return;
      try {
        await runSuccess(active, ctx, manifest);
      } finally {
        await outputsAtSuccess(ctx, manifest);
      }
    },

    async resumeSuccess(pluginConfig, context) {
      const { active, ctx } = await resolveForRelease(pluginConfig, context);
      const manifest = await builtManifest(ctx);
      if (!manifest) return { skipped: [], outcomes: [] };
      const skipped: string[] = [];
      const pending: Active[] = [];
      for (const entry of active) {
        const done = await entry.kind.successDone?.(entry.config, ctx, manifest);
        if (done) skipped.push(done);
        else pending.push(entry);
      }
      return { skipped, outcomes: await runSuccess(pending, ctx, manifest) };
    },
  };
}

/** The plugin of one kind alone (`semantic-release-stack/<entry>`), from the kind's own folder. */
export function standalonePlugin<C>(kind: ArtifactKind<C>): Plugin {
  return createPlugin([kind as AnyKind], 'standalone');
}

const problems = (error: unknown): Error[] =>
  error instanceof AggregateError ? (error.errors as Error[]) : [error as Error];

async function manifestFor(ctx: ReleaseContext): Promise<Manifest> {
  const manifest = await readManifest(ctx.artifactsDir);
  if (!manifest || manifest.version !== ctx.release.version) {
    throw stackError('EMANIFESTMISSING', {
      version: ctx.release.version,
      dir: path.relative(ctx.root, ctx.artifactsDir),
    });
  }
  return manifest;
}
