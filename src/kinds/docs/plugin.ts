import { standalonePlugin } from '../../core/plugin.js';
import { docsKind } from './index.js';

/** `semantic-release-stack/docs`: this kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(docsKind);
