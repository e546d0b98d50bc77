import { createPlugin } from '../core/plugin.js';
import { kindByEntry } from '../kinds/index.js';

/** `semantic-release-stack/docker`: the docker kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, success } = createPlugin(
  [kindByEntry('docker')] as never,
  'standalone',
);
