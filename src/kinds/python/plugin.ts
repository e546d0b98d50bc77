import { standalonePlugin } from '../../core/plugin.js';
import { pythonKind } from './index.js';

/** `semantic-release-stack/python`: this kind alone, with the options of its composite section. */
export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(pythonKind);
