/**
 * All labels of a build as ONE `LABEL` instruction appended to a copy of the user's Dockerfile.
 *
 * Docker's legacy builder (no buildx, e.g. Debian's docker.io 20.10) turns every `--label` flag into
 * a step of its own that creates and commits a container: about a second per label. One `LABEL`
 * instruction with every pair is one step. The copy goes to `docker build --file -` on stdin, so the
 * build context stays as it is, and the user's file is never written.
 *
 * The docker CLI sends a Dockerfile from stdin as an extra file of the context, and appends that
 * file's random name to the `.dockerignore` it sends (writing one that lists itself when there is
 * none); the daemon drops both before the build, but only when `.dockerignore` matches its own
 * patterns. Otherwise a `COPY . …` would put the rewritten `.dockerignore` into the image, so then
 * the labels stay flags (see `dockerignoreExcludesItself`).
 *
 * The copy is the user's bytes unchanged (parser directives such as `# syntax=` or `# escape=` stay
 * first, since it only appends), except that a final instruction left open by a line continuation is
 * closed, exactly as the end of the file closes it, so the appended line cannot join it.
 */

import path from 'node:path';

/** The Dockerfile to send with `--file -`, and the labels that still have to go as `--label`. */
export interface LabelledDockerfile {
  dockerfile: Buffer;
  /** Labels a Dockerfile line cannot carry: a line break, `=` in the key, more than 60,000 chars. */
  flagLabels: Record<string, string>;
}

// The parser's own rules (moby/buildkit frontend/dockerfile/parser): a directive is a comment of the
// form `# name=value` before any other line; comments and blank lines are skipped everywhere, also
// inside a continued instruction; a line ending in the escape character (then blanks) continues.
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/;
const BOM = '\u00ef\u00bb\u00bf'; // UTF-8 byte-order mark, read as latin1
/** The BuildKit frontends that read Dockerfile syntax (official or mirrored, any tag or digest). */
const DOCKERFILE_FRONTEND =
  /^(?:[^\s/]+\/)*docker\/dockerfile(?:-upstream)?(?::[\w][\w.-]*)?(?:@sha256:[0-9a-f]{64})?$/;
/** Physical lines longer than bufio.Scanner's 64 KiB token are refused by the Dockerfile parser. */
const MAX_LINE = 60_000;

/**
 * The Dockerfile with one `LABEL` instruction for `labels` appended, or undefined when the labels
 * should stay `--label` flags: none can be written, or a `# syntax=` directive names a frontend that
 * may not speak Dockerfile syntax.
 */
export function appendLabels(
  original: Buffer,
  labels: Record<string, string>,
): LabelledDockerfile | undefined {
  // latin1 maps each byte to one char and back, so bytes that are not UTF-8 survive untouched.
  const lines = original.toString('latin1').split('\n');
  const directives = parserDirectives(lines);
  if (directives.syntax !== undefined && !DOCKERFILE_FRONTEND.test(directives.syntax)) return undefined;
  const escape = directives.escape === '`' ? '`' : '\\';

  const pairs: string[] = [];
  const flagLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const pair = `${quote(key, escape)}=${quote(value, escape)}`;
    if (/[\r\n]/.test(key + value) || key === '' || key.includes('=') || pair.length > MAX_LINE)
      flagLabels[key] = value;
    else pairs.push(pair);
  }
  if (pairs.length === 0) return undefined;

  closeContinuation(lines, escape);
  let text = lines.join('\n');
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  const instruction = `LABEL ${pairs.join(` ${escape}\n      `)}\n`;
  return {
    dockerfile: Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(instruction, 'utf8')]),
    flagLabels,
  };
}

/**
 * A double-quoted Dockerfile word that reads back as exactly `text`. Inside double quotes the escape
 * character escapes only `"`, `$` and itself; `$` must be escaped, as LABEL expands variables.
 */
export function quote(text: string, escape: '\\' | '`' = '\\'): string {
  let out = '"';
  for (const ch of text) out += ch === '"' || ch === '$' || ch === escape ? escape + ch : ch;
  return `${out}"`;
}

function parserDirectives(lines: readonly string[]): Record<string, string> {
  const directives: Record<string, string> = {};
  for (const [index, raw] of lines.entries()) {
    const line = (index === 0 && raw.startsWith(BOM) ? raw.slice(BOM.length) : raw).replace(/\r$/, '');
    const match = DIRECTIVE.exec(line);
    if (!match) break;
    directives[match[1]!.toLowerCase()] ??= match[2]!;
  }
  return directives;
}

/**
 * When the last line that is neither blank nor a comment ends in a continuation, the end of the file
 * is what ends that instruction; dropping the continuation character (and the blanks after it, which
 * the parser drops too) ends it on that line instead, with the same text.
 */
function closeContinuation(lines: string[], escape: string): void {
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*(\\r?)$`);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/\r$/, '');
    if (BLANK_OR_COMMENT.test(i === 0 ? line.replace(BOM, '') : line)) continue;
    lines[i] = lines[i]!.replace(continuation, '$1');
    return;
  }
}

/**
 * Whether the daemon removes `.dockerignore` from the context before the build, i.e. whether its
 * own patterns exclude it: moby's `fileutils.Matches` (the last matching pattern wins, `!`
 * re-includes), with patterns read and compiled as moby's ignorefile.ReadAll and Pattern.compile do.
 * False when unsure (a pattern that does not compile), which only keeps the flags.
 */
export function dockerignoreExcludesItself(text: string): boolean {
  let excluded = false;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = index === 0 ? raw.replace(/^\ufeff/, '') : raw;
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (!pattern) continue;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    if (!pattern) return false; // `!` alone: docker refuses the file
    pattern = path.posix.normalize(pattern).replace(/(.)\/+$/, '$1');
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    const regex = compileIgnorePattern(pattern);
    if (!regex) return false;
    // Only a pattern that could change the answer is evaluated, as in moby.
    if (exclusion === excluded && regex.test('.dockerignore')) excluded = !exclusion;
  }
  return excluded;
}

/** moby's pattern → regexp: `**` any path, `*` and `?` within one segment, a backslash escapes. */
function compileIgnorePattern(pattern: string): RegExp | undefined {
  let source = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        source += i + 1 >= chars.length ? '.*' : '(.*/)?';
      } else source += '[^/]*';
    } else if (ch === '?') source += '[^/]';
    else if (ch === '.' || ch === '$') source += `\\${ch}`;
    else if (ch === '\\') source += i + 1 < chars.length ? `\\${chars[++i]}` : '\\\\';
    else source += ch;
  }
  try {
    return new RegExp(`${source}$`);
  } catch {
    return undefined;
  }
}
