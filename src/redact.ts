/**
 * One redactor for everything that leaves the process: logs, error messages and details, and the
 * captured output of child processes. semantic-release masks only env vars with secret-looking
 * names, and only their raw and URI-encoded forms; we also mask URL-encoded and base64 forms
 * (an `Authorization: Basic` header is base64 of `user:password`) and secrets minted at runtime.
 */
export const MASK = '[secure]';
const SECRET_NAME = /token|password|passwd|credential|secret|private|key|auth|webhook/i;
const MIN_SECRET_LENGTH = 5;

export interface Redactor {
  /** Registers a value (e.g. a token minted at runtime, or a `user:password` pair) as secret. */
  add(secret: string | undefined): void;
  redact(text: string): string;
  /** Redacts the message, details and output of an error in place and returns it. */
  redactError<E>(error: E): E;
}

function forms(secret: string): string[] {
  const all = [
    secret,
    encodeURIComponent(secret),
    encodeURI(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];
  // base64 of the secret embedded at an offset of 1 or 2 bytes (as in `user:secret`) shares no prefix
  // with the above; those forms are covered by registering the whole pair with `add`.
  return all.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createRedactor(env: Record<string, string | undefined> = {}): Redactor {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;

  const redactor: Redactor = {
    add(secret) {
      if (!secret || secret.trim().length < MIN_SECRET_LENGTH) return;
      for (const form of forms(secret)) secrets.add(form);
      pattern = undefined;
    },
    redact(text) {
      if (secrets.size === 0 || typeof text !== 'string') return text;
      pattern ??= new RegExp(
        [...secrets]
          .sort((a, b) => b.length - a.length)
          .map(escape)
          .join('|'),
        'g',
      );
      return text.replace(pattern, MASK);
    },
    redactError(error) {
      if (!(error instanceof Error)) return error;
      const e = error as Error & Record<string, unknown>;
      for (const field of [
        'message',
        'details',
        'stdout',
        'stderr',
        'all',
        'shortMessage',
        'command',
        'escapedCommand',
      ]) {
        if (typeof e[field] === 'string') {
          try {
            e[field] = redactor.redact(e[field] as string);
          } catch {
            // some libraries define read-only fields; leave them
          }
        }
      }
      if (typeof e.stack === 'string') e.stack = redactor.redact(e.stack);
      if (error instanceof AggregateError) for (const inner of error.errors) redactor.redactError(inner);
      return error;
    },
  };

  for (const [name, value] of Object.entries(env)) {
    if (value && SECRET_NAME.test(name)) redactor.add(value);
  }
  // a registry login sends base64("user:password"): register each user/password pair as a whole
  for (const [user, password] of [
    ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD'],
    ['HELM_REGISTRY_USER', 'HELM_REGISTRY_PASSWORD'],
    ['TWINE_USERNAME', 'TWINE_PASSWORD'],
  ] as const) {
    if (env[user] && env[password]) redactor.add(`${env[user]}:${env[password]}`);
  }
  if (env.PYPI_TOKEN) redactor.add(`__token__:${env.PYPI_TOKEN}`);
  return redactor;
}
