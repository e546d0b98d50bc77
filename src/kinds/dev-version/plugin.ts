import { standalonePlugin } from '../../core/plugin.js';
import { devVersionKind } from './index.js';

/** `semantic-release-stack/dev-version`: this kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(devVersionKind);
