import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStepContext, recordingLogger } from '../../../test/helpers/contexts.js';
import { PypiStandin } from '../../../test/helpers/pypi-standin.js';
import { checkUploadCredentials } from './pypi-auth.js';

let pypi: PypiStandin;

beforeAll(async () => {
  pypi = new PypiStandin({ password: 'pypi-right-token' });
  await pypi.start();
});

afterAll(async () => {
  await pypi?.stop();
});

const token = (password: string) => ({ username: '__token__', password, source: 'PYPI_TOKEN' });
const context = () => {
  const logger = recordingLogger();
  return { logger, ctx: fakeStepContext({ root: '/repo', logger }) };
};

describe('checkUploadCredentials', () => {
  it('accepts credentials the index takes, stores nothing, and refuses wrong ones with EPYPIAUTH', async () => {
    const good = context();
    expect(await checkUploadCredentials(pypi.uploadUrl, token('pypi-right-token'), good.ctx)).toEqual([]);
    expect(good.logger.text()).toContain('accepts the credentials in PYPI_TOKEN');

    const bad = context();
    const errors = await checkUploadCredentials(pypi.uploadUrl, token('pypi-wrong-token'), bad.ctx);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['EPYPIAUTH']);
    expect(errors[0]!.message).toContain('HTTP 403: Invalid or non-existent authentication information');
    expect(`${errors[0]!.message}${(errors[0] as { details?: string }).details}`).not.toContain(
      'pypi-wrong-token',
    );

    // Both were uploads without a file: the index holds nothing.
    expect(pypi.files).toEqual([]);
    expect(pypi.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('only warns when the index cannot be asked or gives no clear answer', async () => {
    const down = context();
    expect(await checkUploadCredentials('http://127.0.0.1:9/legacy/', token('x'), down.ctx)).toEqual([]);
    expect(down.logger.text()).toMatch(
      /warn: Could not ask http:\/\/127\.0\.0\.1:9\/legacy\/ whether it accepts/,
    );

    pypi.failNext(1, 503);
    const flaky = context();
    expect(await checkUploadCredentials(pypi.uploadUrl, token('pypi-right-token'), flaky.ctx)).toEqual([]);
    expect(flaky.logger.text()).toContain('answered an empty upload with HTTP 503');
  });
});
