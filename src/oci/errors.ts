export type OciErrorKind = 'auth' | 'denied' | 'http' | 'network';
import type { HttpResponse } from '../core/http.js';

/**
 * A registry answer the caller has to act on; `status` is 0 for a network failure. Messages name
 * the method, the path and the registry's answer, never a header, so no credential can leak.
 */
export class OciError extends Error {
  constructor(
    message: string,
    readonly kind: OciErrorKind,
    readonly status: number,
    readonly registryCodes: string[] = [],
  ) {
    super(message);
    this.name = 'OciError';
  }
}

export function pathOf(url: string | URL): string {
  try {
    return new URL(url, 'http://x').pathname;
  } catch {
    return String(url);
  }
}

/** The registry's error body (`{"errors":[{"code","message"}]}`) in a message; 403 is `denied`. */
export async function httpError(response: HttpResponse, what: string, host: string): Promise<OciError> {
  const text = await response.text().catch(() => '');
  let codes: string[] = [];
  let detail = text.slice(0, 300);
  try {
    const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors ?? [];
    codes = errors.map((e) => e.code ?? '').filter(Boolean);
    if (errors.length) detail = errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    // not JSON: keep the start of the text
  }
  const kind = response.status === 403 ? 'denied' : 'http';
  return new OciError(
    `${what} on ${host} answered ${response.status}${detail ? `: ${detail}` : ''}`,
    kind,
    response.status,
    codes,
  );
}

export async function discard(response: HttpResponse): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
