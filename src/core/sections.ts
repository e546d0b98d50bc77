import { stackError } from '../errors.js';
import type { ArtifactKind, StepContext } from '../kind.js';
import { resolveSignConfig, SIGN_OPTION, splitSignOption, type SignConfig } from '../sign/index.js';
import { withoutGlobalOptions } from './options.js';

export type AnyKind = ArtifactKind<unknown>;

/** A kind switched on for this step, with its resolved options. */
export interface Active {
  kind: AnyKind;
  config: unknown;
}

/**
 * The kinds a plugin runs, with their options, and the signing options (`sign`, which every plugin
 * keeps). The composite reads one section per kind (`python`, `docs`…); a standalone plugin's
 * options are its one kind's. Every problem is collected.
 */
export function resolveKinds(
  kinds: readonly AnyKind[],
  mode: 'composite' | 'standalone',
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
    errors.push(stackError('ENOKINDS', { kinds: kinds.map((k) => `\`${k.name}\``) }));
  return { active, errors, sign: signing.config };
}

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
