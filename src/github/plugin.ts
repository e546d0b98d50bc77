import type { SrContext } from '../core/context.js';
import { keepLatest } from './latest.js';

/**
 * `semantic-release-stack/github-latest`: listed after @semantic-release/github (the preset does),
 * it keeps GitHub's Latest release on the highest release of the default channel when that plugin
 * adds a release to a channel (see github/latest.ts). It has no options.
 */
export async function addChannel(_pluginConfig: Record<string, unknown>, context: SrContext): Promise<void> {
  await keepLatest(context);
}
