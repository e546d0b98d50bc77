import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { defineKind, type ArtifactKind } from '../../src/kind.js';
import { srContext } from '../helpers/contexts.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fakeKind(
  name: string,
  events: string[],
  options: { consumes?: string[]; ms: number; fail?: boolean },
) {
  return defineKind<object>({
    name,
    entry: name,
    artifacts: [{ type: `${name}-out` }],
    consumes: options.consumes,
    resolveConfig: () => ({ config: {}, errors: [] }),
    async prepare() {
      events.push(`${name}:start`);
      await delay(options.ms);
      if (options.fail) throw new Error(`${name} failed`);
      events.push(`${name}:end`);
      return [{ kind: name, type: `${name}-out`, name: `${name}.out` }];
    },
  }) as ArtifactKind<unknown>;
}

async function prepareWith(kinds: ArtifactKind<unknown>[]) {
  const root = await mkdtemp(path.join(tmpdir(), 'srs-order-'));
  const config = Object.fromEntries(kinds.map((k) => [k.name, true]));
  return createPlugin(kinds, 'composite').prepare(config, srContext({ root, version: '1.0.0' }));
}

describe('prepare scheduling', () => {
  it('starts independent kinds at once and a consumer as soon as the maker of its input type is done', async () => {
    const events: string[] = [];
    await prepareWith([
      fakeKind('wheel', events, { ms: 30 }),
      fakeKind('archive', events, { ms: 120 }),
      fakeKind('image', events, { consumes: ['wheel-out'], ms: 10 }),
    ]);
    expect(events.slice(0, 2).sort()).toEqual(['archive:start', 'wheel:start']);
    // the image does not wait for the slow archive
    expect(events.indexOf('image:start')).toBeGreaterThan(events.indexOf('wheel:end'));
    expect(events.indexOf('image:end')).toBeLessThan(events.indexOf('archive:end'));
  });

  it('does not start a kind whose dependency failed, and reports the failure once', async () => {
    const events: string[] = [];
    const error = await prepareWith([
      fakeKind('wheel', events, { ms: 10, fail: true }),
      fakeKind('image', events, { consumes: ['wheel-out'], ms: 10 }),
      fakeKind('archive', events, { ms: 10 }),
    ]).catch((e: unknown) => e);
    expect((error as Error).message).toBe('wheel failed');
    expect(events).not.toContain('image:start');
    expect(events).toContain('archive:end');
  });
});
