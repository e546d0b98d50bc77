import { randomBytes } from 'node:crypto';
import type { HttpFetch, HttpResponse } from '../../core/http.js';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';
import type { StepContext } from '../../kind.js';
import type { PypiCredentials } from './config.js';

/**
 * Does the index accept these credentials? Asked in verifyConditions, before anything is built or
 * tagged. PyPI has no read-only call for it, but its legacy upload endpoint authenticates a request
 * before it reads the form: an upload form with no file in it is refused with 403 for bad
 * credentials and with 400 ("no file") for good ones, and nothing is stored either way. Whether the
 * token may upload to this particular project is only known at the real upload.
 *
 * Only a clear refusal (401/403) is an error, and a proxy that cannot carry the request (EPROXY: the
 * upload would fail the same way). An index that cannot be reached, or answers something else, gets
 * a warning: a flaky read must not hold back a release that may well succeed.
 */
export interface AuthCheckOptions {
  fetch?: HttpFetch;
  timeoutMs?: number;
}

/** A multipart/form-data body of plain text fields (what twine's upload form is made of). */
function multipartForm(fields: Record<string, string>): { boundary: string; body: string } {
  const boundary = `semantic-release-stack-${randomBytes(12).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return { boundary, body: `${parts.join('')}--${boundary}--\r\n` };
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 200) ?? '';

export async function checkUploadCredentials(
  uploadUrl: string,
  credentials: PypiCredentials,
  ctx: Pick<StepContext, 'logger' | 'redactor' | 'http'>,
  options: AuthCheckOptions = {},
): Promise<Error[]> {
  const pair = `${credentials.username}:${credentials.password}`;
  ctx.redactor.add(pair);
  const form = multipartForm({ ':action': 'file_upload', protocol_version: '1' });
  let response: HttpResponse;
  try {
    response = await (options.fetch ?? ctx.http.request)(uploadUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(pair).toString('base64')}`,
        'Content-Type': `multipart/form-data; boundary=${form.boundary}`,
      },
      body: form.body,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
  } catch (error) {
    if (isStackError(error)) return [error];
    ctx.logger.warn(
      'Could not ask %s whether it accepts %s (%s); the upload may still be refused after the release.',
      uploadUrl,
      credentials.source,
      ctx.redactor.redact((error as Error).message),
    );
    return [];
  }
  const body = ctx.redactor.redact(await response.text().catch(() => ''));
  if (response.status === 401 || response.status === 403)
    return [
      stackError('EPYPIAUTH', {
        url: uploadUrl,
        source: credentials.source,
        answer: `HTTP ${response.status}${body ? `: ${firstLine(body)}` : ''}`,
      }),
    ];
  if (response.status === 400) {
    ctx.logger.log('%s accepts the credentials in %s.', uploadUrl, credentials.source);
    return [];
  }
  ctx.logger.warn(
    '%s answered an empty upload with HTTP %d, not with 400 as an index that accepts the credentials does; the credentials in %s are not checked.',
    uploadUrl,
    response.status,
    credentials.source,
  );
  return [];
}
