/**
 * Signing, provenance and SBOMs: cross-cutting, switched on by the `sign` option of the composite
 * (or of any standalone kind). The plugin calls in at four points: resolving options, the
 * verifyConditions check of the identity, the release plan, and publish after every kind's.
 */
import type { Artifact, Manifest } from '../core/manifest.js';
import type { ReleaseContext } from '../kind.js';
import type { SignConfig } from './config.js';
import type { ActiveConfig } from './registries.js';

export { resolveSignConfig, splitSignOption, type SignConfig } from './config.js';
export { checkIdentity as checkSigning } from './identity.js';
export { planSigning } from './plan.js';
export { SIGN_ASSET_GLOBS } from './assets.js';

/** The option's name, kept by the plugin next to the kinds' sections. */
export const SIGN_OPTION = 'sign';

/**
 * The publish step (release.ts), loaded only when a release signs: the Sigstore libraries cost
 * every other run their import time.
 */
export async function signRelease(
  config: SignConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  active: readonly ActiveConfig[],
): Promise<Artifact[]> {
  const { signRelease: run } = await import('./release.js');
  return run(config, ctx, manifest, active);
}
