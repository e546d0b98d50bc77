/** One line per artifact: what was checked and the verdict. */
export interface Verdict {
  ok: boolean;
  what: string;
  name: string;
  detail: string;
}

export const ok = (what: string, name: string, detail: string): Verdict => ({ ok: true, what, name, detail });
export const failed = (what: string, name: string, detail: string): Verdict => ({
  ok: false,
  what,
  name,
  detail,
});

export function formatVerdicts(verdicts: readonly Verdict[]): string {
  return verdicts.map((v) => `${v.ok ? 'ok    ' : 'FAILED'}  ${v.what} ${v.name}: ${v.detail}\n`).join('');
}
