import { newFileCaches, type FileCaches } from '../files/index.js';

/**
 * What one plugin instance remembers between its steps and between the plugins' calls of one run:
 * answers that cannot change (a commit's time) and parses of texts it will see again. createPlugin
 * makes one per instance; nothing of it lives at module level, so instances and tests stay apart.
 */
export interface PluginCaches {
  files: FileCaches;
  /** `<root>\0<commit>` → the commit's committer time (see epoch.ts). */
  committerTimes: Map<string, Promise<string>>;
}

export function createCaches(): PluginCaches {
  return { files: newFileCaches(), committerTimes: new Map() };
}
