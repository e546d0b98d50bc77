import { describe, expect, it } from 'vitest';
import { dockerConfigKey } from './docker.js';

describe('dockerConfigKey', () => {
  it("stores Docker Hub's login under its index URL, as `docker login` does", () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io'])
      expect(dockerConfigKey(host)).toBe('https://index.docker.io/v1/');
  });

  it('stores any other registry under its host and port', () => {
    expect(dockerConfigKey('ghcr.io')).toBe('ghcr.io');
    expect(dockerConfigKey('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
