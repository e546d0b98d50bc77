/**
 * `.helmignore` as Helm v3 reads it (pkg/ignore/rules.go). It is not gitignore: globs are Go's
 * `filepath.Match`, `**` is refused, and the first rule that decides wins. A `!pat` rule decides
 * "ignored" for every path that does NOT match `pat` and lets matching paths fall through to the next
 * rule, so `!*.yaml` on its own ignores every directory and file whose name is not `*.yaml`.
 */

export class GlobSyntaxError extends Error {}

const bad = (): never => {
  throw new GlobSyntaxError('syntax error in pattern');
};

/** End of the chunk starting at `i`: up to the next `*` outside a `[...]` class (Go's scanChunk). */
function chunkEnd(p: readonly string[], i: number): number {
  let inClass = false;
  for (; i < p.length; i++) {
    if (p[i] === '\\') {
      if (i + 1 < p.length) i++;
    } else if (p[i] === '[') inClass = true;
    else if (p[i] === ']') inClass = false;
    else if (p[i] === '*' && !inClass) break;
  }
  return i;
}

/** One class member, possibly `\`-escaped; `-` or `]` here, or running off the end, is bad syntax. */
function classChar(c: readonly string[], k: number): [number, number] {
  if (k >= c.length || c[k] === '-' || c[k] === ']') bad();
  if (c[k] === '\\' && ++k >= c.length) bad();
  if (k + 1 >= c.length) bad(); // a class must still be closed after this character
  return [c[k]!.codePointAt(0)!, k + 1];
}

/**
 * Matches a star-free chunk at s[from..]; returns the index after the match or -1. Like Go since
 * 1.16 it keeps reading the chunk after a mismatch, so bad syntax is reported whatever the name.
 */
function matchChunk(c: readonly string[], s: readonly string[], from: number): number {
  let failed = false;
  let j = from;
  for (let k = 0; k < c.length;) {
    if (j >= s.length) failed = true;
    if (c[k] === '[') {
      const r = failed ? -1 : s[j++]!.codePointAt(0)!;
      k++;
      const negated = c[k] === '^'; // only `^` negates in Go; `!` is an ordinary character
      if (negated) k++;
      let hit = false;
      for (let n = 0; !(c[k] === ']' && n > 0); n++) {
        let lo: number;
        let hi: number;
        [lo, k] = classChar(c, k);
        hi = lo;
        if (c[k] === '-') [hi, k] = classChar(c, k + 1);
        if (lo <= r && r <= hi) hit = true;
      }
      k++;
      if (hit === negated) failed = true;
    } else if (c[k] === '?') {
      if (!failed && s[j++] === '/') failed = true;
      k++;
    } else {
      if (c[k] === '\\' && ++k >= c.length) bad();
      if (!failed && c[k] !== s[j++]) failed = true;
      k++;
    }
  }
  return failed ? -1 : j;
}

/** Go's path/filepath.Match on a `/`-separated path; throws GlobSyntaxError for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  const p = [...pattern];
  const n = [...name];
  let pi = 0;
  let ni = 0;
  next: while (pi < p.length) {
    let star = false;
    for (; p[pi] === '*'; pi++) star = true;
    const end = chunkEnd(p, pi);
    const chunk = p.slice(pi, end);
    pi = end;
    if (star && chunk.length === 0) return !n.slice(ni).includes('/'); // `*` never crosses `/`
    const t = matchChunk(chunk, n, ni);
    if (t >= 0 && (t === n.length || pi < p.length)) {
      ni = t;
      continue;
    }
    if (star) {
      for (let i = ni; i < n.length && n[i] !== '/'; i++) {
        const u = matchChunk(chunk, n, i + 1);
        if (u >= 0 && !(pi === p.length && u < n.length)) {
          ni = u;
          continue next;
        }
      }
    }
    for (; pi < p.length; pi = chunkEnd(p, pi)) {
      for (; p[pi] === '*'; pi++);
      matchChunk(p.slice(pi, chunkEnd(p, pi)), [], 0); // only for its syntax check
    }
    return false;
  }
  return ni === n.length;
}

interface Rule {
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

// Go's strings.TrimSpace: Unicode White_Space only (no BOM, unlike String.prototype.trim).
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'gu');

const safeMatch = (pattern: string, name: string): boolean => {
  try {
    return goMatch(pattern, name);
  } catch {
    return false; // Helm logs and treats a pattern that fails at match time as "no match"
  }
};

export class HelmIgnore {
  private readonly rules: Rule[] = [];

  /** Parses `.helmignore` text; every bad line is reported, as `{ line, pattern, reason }`. */
  static parse(text: string): {
    rules: HelmIgnore;
    problems: { line: number; pattern: string; reason: string }[];
  } {
    const rules = new HelmIgnore();
    const problems: { line: number; pattern: string; reason: string }[] = [];
    text.split('\n').forEach((raw, i) => {
      const reason = rules.add(raw.replace(/\r$/, ''));
      if (reason) problems.push({ line: i + 1, pattern: raw.trim(), reason });
    });
    return { rules, problems };
  }

  /** Helm appends this after the file's rules: dotfiles directly under templates/ are never loaded. */
  addDefaults(): this {
    this.add('templates/.?*');
    return this;
  }

  /** Adds one rule; returns why it is invalid, or undefined. */
  add(line: string): string | undefined {
    let rule = line.replace(TRIM, '');
    if (rule === '' || rule.startsWith('#')) return undefined;
    if (rule.includes('**')) return 'double-star (**) syntax is not supported';
    try {
      goMatch(rule, 'abc'); // Helm checks the whole raw rule, `!` and `/` included
    } catch (e) {
      return (e as Error).message;
    }
    const negate = rule.startsWith('!');
    if (negate) rule = rule.slice(1);
    const mustDir = rule.endsWith('/');
    if (mustDir) rule = rule.slice(0, -1);
    let match: (path: string) => boolean;
    if (rule.startsWith('/')) {
      const anchored = rule.slice(1);
      match = (p) => safeMatch(anchored, p);
    } else if (rule.includes('/')) {
      match = (p) => safeMatch(rule, p);
    } else {
      // No slash: only the last path element is compared, at any depth.
      match = (p) => safeMatch(rule, p.slice(p.lastIndexOf('/') + 1));
    }
    this.rules.push({ negate, mustDir, match });
    return undefined;
  }

  /** Whether the chart-relative, `/`-separated `path` is left out; an ignored directory is skipped whole. */
  ignores(path: string, isDir: boolean): boolean {
    if (path === '' || path === '.' || path === './') return false;
    for (const r of this.rules) {
      if (r.negate) {
        if ((r.mustDir && !isDir) || !r.match(path)) return true;
        continue;
      }
      if (r.mustDir && !isDir) continue;
      if (r.match(path)) return true;
    }
    return false;
  }
}
