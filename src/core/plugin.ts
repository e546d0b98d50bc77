import path from 'node:path';
import { stackError, throwAll } from '../errors.js';
import { applyEdits, withoutConsequences } from '../files/index.js';
import { restoreOnExit } from '../files/restore-on-exit.js';
import type { ArtifactKind, ReleaseContext, StepContext } from '../kind.js';
import { createCaches } from './caches.js';
import { releaseContext, stepContext, type RenderOptions, type SrContext } from './context.js';
import {
  checkArtifactFiles,
  mergeArtifacts,
  mergeFields,
  openManifest,
  readManifest,
  saveManifest,
  type Manifest,
} from './manifest.js';
import { withoutGlobalOptions } from './options.js';
import {
  outputsAtPublish,
  outputsAtSuccess,
  outputsAtVerifyConditions,
  outputsAtVerifyRelease,
} from '../outputs/index.js';
import { checkHistory } from './history.js';
import { claimRelease } from './release-lock.js';
import { formatPlan, planEdits } from './plan.js';
import {
  checkSigning,
  planSigning,
  resolveSignConfig,
  signRelease,
  SIGN_OPTION,
  splitSignOption,
  type SignConfig,
} from '../sign/index.js';
import { checkVersionFields, releaseValues, toEdits } from './version-fields.js';

type AnyKind = ArtifactKind<unknown>;
interface Active {
  kind: AnyKind;
  config: unknown;
}

/** A semantic-release plugin: the lifecycle functions semantic-release looks for. */
export interface Plugin {
  verifyConditions(pluginConfig: Record<string, unknown>, context: SrContext): Promise<void>;
  verifyRelease(pluginConfig: Record<string, unknown>, context: SrContext): Promise<void>;
  prepare(pluginConfig: Record<string, unknown>, context: SrContext): Promise<void>;
  publish(pluginConfig: Record<string, unknown>, context: SrContext): Promise<false>;
  success(pluginConfig: Record<string, unknown>, context: SrContext): Promise<void>;
}

/**
 * Builds a plugin from a list of kinds. The composite reads one section per kind (`python`, `docs`…);
 * a standalone plugin is the same machinery over a single kind whose options are the whole config.
 * Nothing is kept between steps in memory: each step resolves its options again from what
 * semantic-release hands it, and artifacts travel through the release manifest on disk, so plugins of
 * one run (or a resumed run) see the same state.
 */
export function createPlugin(kinds: readonly AnyKind[], mode: 'composite' | 'standalone'): Plugin {
  const caches = createCaches();
  const files = { caches: caches.files };
  function resolve(
    pluginConfig: Record<string, unknown>,
    ctx: StepContext,
  ): { active: Active[]; errors: Error[]; sign: SignConfig | undefined } {
    // Kind sections may also sit at the top level of the config (next to `extends`), where
    // semantic-release hands them to every plugin as global options; the composite keeps them, and
    // every plugin keeps `sign`.
    const names = new Set(kinds.map((k) => k.name));
    const { sign, rest: own } = splitSignOption(
      withoutGlobalOptions(
        pluginConfig ?? {},
        ctx.options,
        new Set([...(mode === 'composite' ? names : []), SIGN_OPTION]),
      ),
    );
    const signing = resolveSignConfig(sign);
    const sections =
      mode === 'composite' ? compositeSections(own, kinds) : { errors: [], raw: new Map([[kinds[0]!, own]]) };
    const active: Active[] = [];
    const errors: Error[] = [...signing.errors, ...sections.errors];
    for (const [kind, raw] of sections.raw) {
      const result = kind.resolveConfig(raw, ctx);
      if (result.errors.length) errors.push(...result.errors);
      else active.push({ kind, config: result.config });
    }
    if (mode === 'composite' && sections.raw.size === 0 && errors.length === 0)
      errors.push(stackError('ENOKINDS'));
    return { active, errors, sign: signing.config };
  }

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
    const { active, errors, sign } = resolve(pluginConfig, base);
    throwAll(errors);
    return { active, sign, ctx: releaseContext(context, renderOptions(active), caches) };
  }

  return {
    async verifyConditions(pluginConfig, context) {
      const ctx = stepContext(context, caches);
      const { active, errors, sign } = resolve(pluginConfig, ctx);
      if (sign) errors.push(...checkSigning(ctx));
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
      const problems = (
        await Promise.all([
          checkHistory(ctx),
          ...active.map(({ kind, config }) => kind.checkRelease?.(config, ctx) ?? []),
        ])
      ).flat();
      throwAll(problems);
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
        await saveManifest(ctx.artifactsDir, manifest).finally(stopGuard);
      }
    },

    async publish(pluginConfig, context) {
      const { active, sign, ctx } = await resolveForRelease(pluginConfig, context);
      const manifest = await manifestFor(ctx);
      try {
        throwAll(await checkArtifactFiles(ctx.root, manifest));
        // The first run to claim the tag publishes; a concurrent one stops here (ECONCURRENT).
        if (active.some(({ kind }) => kind.publish) && (await claimRelease(ctx, manifest)))
          await saveManifest(ctx.artifactsDir, manifest);
        for (const { kind, config } of active) {
          if (!kind.publish) continue;
          mergeArtifacts(manifest, await kind.publish(config, ctx, manifest));
          await saveManifest(ctx.artifactsDir, manifest);
        }
        // After every push, before @semantic-release/github attaches release-artifacts/.
        if (sign) {
          const configs = active.map(({ kind, config }) => ({ name: kind.name, config }));
          mergeArtifacts(manifest, await signRelease(sign, ctx, manifest, configs));
          await saveManifest(ctx.artifactsDir, manifest);
        }
        await outputsAtPublish(ctx, manifest);
      } catch (error) {
        throw ctx.redactor.redactError(error);
      }
      return false;
    },

    async success(pluginConfig, context) {
      const { active, ctx } = await resolveForRelease(pluginConfig, context);
      // semantic-release also calls success after only adding a channel to an existing release
      // (e.g. the first run of a maintenance branch); nothing was built or published for it here.
      const manifest = await readManifest(ctx.artifactsDir);
      if (!manifest || manifest.version !== ctx.release.version) {
        ctx.logger.log('Nothing was built for %s in this run; no success step to do.', ctx.release.version);
        return;
      }
      const errors: Error[] = [];
      for (const { kind, config } of active) {
        if (!kind.success) continue;
        try {
          await kind.success(config, ctx, manifest);
        } catch (error) {
          errors.push(ctx.redactor.redactError(error as Error));
        }
      }
      await outputsAtSuccess(ctx, manifest);
      throwAll(errors);
    },
  };
}

const problems = (error: unknown): Error[] =>
  error instanceof AggregateError ? (error.errors as Error[]) : [error as Error];

function compositeSections(own: Record<string, unknown>, kinds: readonly AnyKind[]) {
  const raw = new Map<AnyKind, unknown>();
  const errors: Error[] = [];
  for (const [key, value] of Object.entries(own)) {
    const kind = kinds.find((k) => k.name === key);
    if (!kind) {
      errors.push(
        stackError('EUNKNOWNOPTION', {
          option: key,
          kind: 'semantic-release-stack',
          known: kinds.map((k) => k.name).join(', '),
          suggestion: kinds.map((k) => k.name).find((n) => n.toLowerCase() === key.toLowerCase()),
        }),
      );
    } else if (value === true) raw.set(kind, {});
    else if (value !== false && value !== undefined && value !== null) raw.set(kind, value);
  }
  return { raw, errors };
}

/**
 * Runs every kind's prepare as soon as the kinds it builds on (`after`) are done, so independent
 * work overlaps (wheel, docs archive and chart at once; the image right after the wheel). A kind
 * whose dependency failed does not start; every failure is reported.
 */
async function prepareConcurrently(active: Active[], ctx: ReleaseContext, manifest: Manifest): Promise<void> {
  const started = new Map<string, Promise<void>>();
  const start = (entry: Active): Promise<void> => {
    let running = started.get(entry.kind.name);
    if (!running) {
      const deps = (entry.kind.after ?? []).flatMap((name) => {
        const dep = active.find((a) => a.kind.name === name);
        return dep ? [start(dep)] : [];
      });
      running = Promise.all(deps).then(async () => {
        if (entry.kind.prepare)
          mergeArtifacts(manifest, await entry.kind.prepare(entry.config, ctx, manifest));
      });
      started.set(entry.kind.name, running);
    }
    return running;
  };
  const results = await Promise.allSettled(active.map(start));
  // a kind stopped by its dependency's failure repeats that same error: report each once
  throwAll([...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])))]);
}

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
