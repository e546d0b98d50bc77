import { standalonePlugin } from '../../core/plugin.js';
import { helmKind } from './index.js';

/** `semantic-release-stack/helm`: this kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(helmKind);
