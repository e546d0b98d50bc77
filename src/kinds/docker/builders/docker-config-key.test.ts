import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../../oci/reference.js';
import { dockerConfigKey } from './docker.js';

const registryOf = (name: string): string => {
  const parsed = parseImageName(name);
  if (!parsed.ok) throw new Error(`not an image name: ${name}`);
  return parsed.image.registry;
};

describe('dockerConfigKey', () => {
  it("stores Docker Hub's login under its index URL, as `docker login` does", () => {
    for (const name of ['acme/app', 'docker.io/acme/app', 'index.docker.io/acme/app'])
      expect(dockerConfigKey(registryOf(name))).toBe('https://index.docker.io/v1/');
  });

  it('stores any other registry under its host and port', () => {
    expect(dockerConfigKey(registryOf('ghcr.io/acme/app'))).toBe('ghcr.io');
    expect(dockerConfigKey(registryOf('127.0.0.1:5000/acme/app'))).toBe('127.0.0.1:5000');
  });
});
