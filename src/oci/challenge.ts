/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them:
 * `Basic realm="Registry"` or `Bearer realm="https://auth…/token",service="…",scope="repository:x:pull"`.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Every challenge in the header; parameter names lower-cased, quoted values unescaped. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  // Sticky, so its lastIndex is state: one per call.
  const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  const challenges: Challenge[] = [];
  if (!header) return challenges;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i]!)) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(header);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const quoted = (): string => {
    let value = '';
    for (i++; i < header.length && header[i] !== '"'; i++)
      value += header[i] === '\\' ? (header[++i] ?? '') : header[i];
    i++;
    return value;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skip(/[\s,]/);
      const start = i;
      const name = token();
      skip(/\s/);
      if (!name || header[i] !== '=') {
        i = start; // the next challenge's scheme
        break;
      }
      i++;
      skip(/\s/);
      challenge.params[name.toLowerCase()] = header[i] === '"' ? quoted() : (token() ?? '');
    }
  }
  return challenges;
}
