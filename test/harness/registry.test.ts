import { afterEach, describe, expect, it } from 'vitest';
import { getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';

describe('startRegistry', () => {
  let registry: Registry | undefined;
  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
  });

  it('serves /v2/ without auth (200) on a loopback port', async () => {
    registry = await startRegistry();
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${registry.host}`);
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await listTags(registry, 'nothing/here')).toEqual([]);
    expect((await getManifest(registry.host, 'nothing/here', 'latest')).status).toBe(404);
  });

  it('requires Basic auth with htpasswd (bcrypt) and refuses a wrong password', async () => {
    registry = await startRegistry({ auth: { user: 'alice', password: 's3cret-value' } });
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const basic = (user: string, password: string) =>
      fetch(`${registry!.url}/v2/`, {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      });
    expect((await basic('alice', 's3cret-value')).status).toBe(200);
    expect((await basic('alice', 'wrong')).status).toBe(401);
    expect((await basic('bob', 's3cret-value')).status).toBe(401);
  });

  it('stop() ends the registry and removes its directory', async () => {
    const reg = await startRegistry();
    await reg.stop();
    await expect(fetch(`${reg.url}/v2/`)).rejects.toThrow();
    const { existsSync } = await import('node:fs');
    expect(existsSync(reg.dir)).toBe(false);
  });
});
