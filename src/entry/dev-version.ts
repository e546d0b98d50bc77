import { createPlugin } from '../core/plugin.js';
import { kindByEntry } from '../kinds/index.js';

/** `semantic-release-stack/dev-version`: the dev-version kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, success } = createPlugin(
  [kindByEntry('dev-version')] as never,
  'standalone',
);
