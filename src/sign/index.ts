/**
 * Signing, provenance and SBOMs: cross-cutting, switched on by the `sign` option of the composite
 * (or of any standalone kind). The plugin calls in at four points: resolving options, the
 * verifyConditions check of the identity, the release plan, and publish after every kind's.
 */
export { resolveSignConfig, splitSignOption, type SignConfig } from './config.js';
export { checkIdentity as checkSigning } from './identity.js';
export { planSigning } from './plan.js';
export { signRelease } from './release.js';
export { SIGN_ASSET_GLOBS } from './assets.js';

/** The option's name, kept by the plugin next to the kinds' sections. */
export const SIGN_OPTION = 'sign';
