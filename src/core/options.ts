import * as z from 'zod';
import { stackError } from '../errors.js';

// zod compiles a parser for each object schema with `new Function` on its first parse, which pays
// off only after many parses; the plugin parses each kind's options once per step (a few dozen
// parses per release). Interpreted parsing is quicker here (bench/notes/code-decisions.md).
// z.config() is global to the zod instance: another plugin of the run sharing this zod through npm
// gets interpreted parsing too, which changes only its speed, never a result.
z.config({ jitless: true });

/**
 * Parses one kind's options with its schema and turns every schema issue into a coded error, so a
 * user sees all of their mistakes at once. Unknown keys (typos) get EUNKNOWNOPTION with a suggestion.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  prefix: string,
): { value: z.output<S>; errors: [] } | { value: undefined; errors: Error[] } {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return { value: result.data, errors: [] };
  const errors = result.error.issues.flatMap((issue) => issueToErrors(issue, schema, prefix));
  return { value: undefined, errors };
}

function issueToErrors(issue: z.core.$ZodIssue, schema: z.ZodType, prefix: string): Error[] {
  const at = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path);
    return issue.keys.map((key) =>
      stackError('EUNKNOWNOPTION', {
        option: at ? `${at}.${key}` : key,
        kind: at || 'semantic-release-stack',
        known: known.join(', ') || '(none)',
        suggestion: closest(key, known),
      }),
    );
  }
  return [stackError('EINVALIDOPTION', { option: at || prefix, problem: issue.message })];
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of path) {
    const shape = objectShape(node);
    node = shape?.[String(key)];
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(node: unknown): Record<string, unknown> | undefined {
  let current = node as
    | {
        shape?: Record<string, unknown>;
        unwrap?: () => unknown;
        def?: { innerType?: unknown; options?: unknown[] };
      }
    | undefined;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.shape) return current.shape;
    const inner: unknown = current.def?.innerType ?? current.def?.options?.find((o) => objectShape(o));
    current = inner as typeof current;
  }
  return undefined;
}

/** The known option nearest to a typo, if it is near enough to be a plausible slip. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * semantic-release hands each plugin `{...globalOptions, ...pluginOptions}`. To tell a typo from a
 * global option (branches, tagFormat, another plugin's shared `assets`…), drop every key whose value
 * is the very value of the same global option. The plugins' copy is taken before semantic-release
 * puts a token into `repositoryUrl`: theirs is the one it keeps as `originalRepositoryURL`.
 */
export function withoutGlobalOptions(
  pluginConfig: Record<string, unknown>,
  globalOptions: Record<string, unknown>,
  keep: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pluginConfig)) {
    if (!keep.has(key) && key in globalOptions && sameValue(value, globalOptions[key])) continue;
    if (key === 'repositoryUrl' && sameValue(value, globalOptions.originalRepositoryURL)) continue;
    own[key] = value;
  }
  return own;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** Schema for a repository-relative path option: no option-looking or empty values. */
export const relativePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => !v.startsWith('-'), 'must not start with "-"')
  .refine((v) => !v.includes('\0'), 'must not contain NUL');
