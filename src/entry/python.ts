import { createPlugin } from '../core/plugin.js';
import { kindByEntry } from '../kinds/index.js';

/** `semantic-release-stack/python`: the python kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, success } = createPlugin(
  [kindByEntry('python')] as never,
  'standalone',
);
