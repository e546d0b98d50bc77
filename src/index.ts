import { createPlugin } from './core/plugin.js';
import { KINDS } from './kinds/index.js';

/** The composite plugin: `["semantic-release-stack", { python, docs, docker, helm, devVersion }]`. */
const plugin = createPlugin(KINDS as never, 'composite');

export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } = plugin;
export { createPlugin } from './core/plugin.js';
export { KINDS } from './kinds/index.js';
export type { ArtifactKind } from './kind.js';
