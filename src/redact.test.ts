import { describe, expect, it } from 'vitest';
import { createRedactor, MASK } from './redact.js';

describe('redactor', () => {
  const env = {
    GITHUB_TOKEN: 'ghp_s3cr3t/+=value',
    DOCKER_REGISTRY_USER: 'bot',
    DOCKER_REGISTRY_PASSWORD: 'hunter2-pass',
    HOME: '/root',
  };

  it('masks raw, URL-encoded and base64 forms of secret env vars', () => {
    const r = createRedactor(env);
    const token = env.GITHUB_TOKEN;
    for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64')]) {
      expect(r.redact(`before ${form} after`)).toBe(`before ${MASK} after`);
    }
  });

  it('masks a Basic credential built from a user/password pair', () => {
    const r = createRedactor(env);
    const header = `Authorization: Basic ${Buffer.from('bot:hunter2-pass').toString('base64')}`;
    expect(r.redact(header)).toBe(`Authorization: Basic ${MASK}`);
  });

  it('masks secrets registered at runtime and leaves other text alone', () => {
    const r = createRedactor({});
    r.add('minted-token-123');
    expect(r.redact('x minted-token-123 y /root')).toBe(`x ${MASK} y /root`);
    r.add('abc'); // too short to mask safely
    expect(r.redact('abc')).toBe('abc');
  });

  it('redacts the fields of errors, nested in AggregateError', () => {
    const r = createRedactor(env);
    const inner = Object.assign(new Error('failed with hunter2-pass'), { details: 'see hunter2-pass' });
    const outer = r.redactError(new AggregateError([inner], 'outer hunter2-pass'));
    expect(outer.message).not.toContain('hunter2-pass');
    expect(inner.message).toBe(`failed with ${MASK}`);
    expect((inner as Error & { details: string }).details).toBe(`see ${MASK}`);
  });
});
