import * as z from 'zod';
import { parseOptions } from '../core/options.js';

/**
 * The `sign` option: off by default; `true` for the public Sigstore instance, or the addresses of a
 * private one. Signing is keyless: the identity is an OIDC token (see identity.ts).
 */
export const PUBLIC_FULCIO = 'https://fulcio.sigstore.dev';
export const PUBLIC_REKOR = 'https://rekor.sigstore.dev';

const url = z
  .string()
  .min(1)
  .refine((v) => /^https?:\/\/[^\s/]+/.test(v), 'must be an http(s) URL');

const signSchema = z.union([
  z.boolean(),
  z
    .object({
      /** Fulcio, the certificate authority that turns the ID token into a short-lived certificate. */
      fulcioUrl: url.optional(),
      /** Rekor (v1 API), the transparency log every signature is entered into. */
      rekorUrl: url.optional(),
      /** An RFC 3161 timestamp authority, asked for a timestamp of every signature when set. */
      tsaUrl: url.optional(),
    })
    .strict(),
]);

export interface SignConfig {
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl: string | undefined;
}

/** `sign` as written (true, false, absent or an object) → the config, or undefined when off. */
export function resolveSignConfig(raw: unknown): { config: SignConfig | undefined; errors: Error[] } {
  if (raw === undefined || raw === null || raw === false) return { config: undefined, errors: [] };
  const parsed = parseOptions(signSchema, raw, 'sign');
  if (parsed.errors.length) return { config: undefined, errors: parsed.errors };
  if (parsed.value === undefined || parsed.value === false) return { config: undefined, errors: [] };
  const o = parsed.value === true ? {} : parsed.value;
  const trim = (v: string) => v.replace(/\/+$/, '');
  return {
    config: {
      fulcioUrl: trim(o.fulcioUrl ?? PUBLIC_FULCIO),
      rekorUrl: trim(o.rekorUrl ?? PUBLIC_REKOR),
      tsaUrl: o.tsaUrl ? trim(o.tsaUrl) : undefined,
    },
    errors: [],
  };
}

/** Where `sign` is read: the composite's section, or a standalone kind's own options. */
export function splitSignOption(own: Record<string, unknown>): {
  sign: unknown;
  rest: Record<string, unknown>;
} {
  const { sign, ...rest } = own;
  return { sign, rest };
}
