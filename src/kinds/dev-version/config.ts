import * as z from 'zod';
import { parseOptions } from '../../core/options.js';
import type { ConfigResult } from '../../kind.js';

export const devVersionSchema = z
  .object({
    /** Commit message; `{version}` is the dev version (PEP 440). Keep `[skip ci]` in the subject. */
    message: z.string().min(1).optional(),
    /** Write a dev version after a prerelease too (default: no). */
    afterPrerelease: z.boolean().optional(),
    /** Push attempts when the branch moved meanwhile (fetch + rebase of the one commit each time). */
    pushAttempts: z.number().int().min(1).max(10).optional(),
  })
  .strict();

export interface DevVersionConfig {
  message: string;
  afterPrerelease: boolean;
  pushAttempts: number;
}

export const DEFAULT_DEV_MESSAGE = 'chore(release): {version} [skip ci]';

export function resolveDevVersionConfig(raw: unknown): ConfigResult<DevVersionConfig> {
  const parsed = parseOptions(devVersionSchema, raw, 'devVersion');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  return {
    config: {
      message: parsed.value.message ?? DEFAULT_DEV_MESSAGE,
      afterPrerelease: parsed.value.afterPrerelease ?? false,
      pushAttempts: parsed.value.pushAttempts ?? 3,
    },
    errors: [],
  };
}
