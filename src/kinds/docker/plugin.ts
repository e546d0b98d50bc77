import { standalonePlugin } from '../../core/plugin.js';
import { dockerKind } from './index.js';

/** `semantic-release-stack/docker`: this kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(dockerKind);
