import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PypiStandin,
  buildTinyWheel,
  normalizeName,
  parseMultipart,
  twineUpload,
  type StartedPypi,
} from '../helpers/pypi-standin.js';

describe('PyPI stand-in driven by the real twine', () => {
  const pypi = new PypiStandin({ user: '__token__', password: 'pypi-AgEtest-token' });
  let started: StartedPypi;
  const dirs: string[] = [];
  let wheel: string;
  let wheelBytes: Buffer;

  beforeAll(async () => {
    started = await pypi.start();
    const built = await buildTinyWheel({ name: 'srs-demo_pkg', version: '1.2.0rc1' });
    dirs.push(built.dir);
    wheel = built.wheel;
    wheelBytes = await readFile(wheel);
  }, 180_000);

  afterAll(async () => {
    await started?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const upload = (files: string[], password = pypi.password) =>
    twineUpload(files, { repositoryUrl: started.uploadUrl, username: pypi.user, password });

  it('builds a wheel with python -m build and uploads it with twine; JSON and simple APIs show it', async () => {
    expect(basename(wheel)).toBe('srs_demo_pkg-1.2.0rc1-py3-none-any.whl');
    const result = await upload([wheel]);
    expect(result.code, result.output).toBe(0);

    const sha256 = createHash('sha256').update(wheelBytes).digest('hex');
    expect(pypi.files).toHaveLength(1);
    expect(pypi.files[0]).toMatchObject({
      name: 'srs-demo-pkg', // the wheel's METADATA Name (setuptools normalizes it)
      project: 'srs-demo-pkg',
      version: '1.2.0rc1',
      filetype: 'bdist_wheel',
      pyversion: 'py3',
      sha256,
      requiresPython: '>=3.8',
    });
    expect(pypi.files[0]?.content.equals(wheelBytes)).toBe(true);
    const upload0 = pypi.requests.find((r) => r.method === 'POST');
    expect(upload0?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${pypi.user}:${pypi.password}`).toString('base64')}`,
    );
    expect(upload0?.fields?.[':action']).toEqual(['file_upload']);

    const json = (await (await fetch(`${started.url}/pypi/srs_demo.pkg/1.2.0rc1/json`)).json()) as {
      urls: { filename: string; digests: { sha256: string }; url: string }[];
    };
    expect(json.urls).toHaveLength(1);
    expect(json.urls[0]).toMatchObject({ filename: basename(wheel), digests: { sha256 } });
    const file = Buffer.from(await (await fetch(json.urls[0]!.url)).arrayBuffer());
    expect(file.equals(wheelBytes)).toBe(true);
    expect((await fetch(`${started.url}/pypi/srs-demo-pkg/9.9.9/json`)).status).toBe(404);
    const project = (await (await fetch(`${started.url}/pypi/srs-demo-pkg/json`)).json()) as {
      releases: Record<string, unknown[]>;
    };
    expect(Object.keys(project.releases)).toEqual(['1.2.0rc1']);

    const simple = await fetch(`${started.url}/simple/srs-demo-pkg/`);
    const html = await simple.text();
    expect(html).toContain(`#sha256=${sha256}"`);
    expect(html).toContain(`>${basename(wheel)}</a>`);
    const redirected = await fetch(`${started.url}/simple/SRS_Demo.Pkg/`, { redirect: 'manual' });
    expect(redirected.status).toBe(301);
    expect(redirected.headers.get('location')).toBe('/simple/srs-demo-pkg/');
    const pep691 = await fetch(`${started.url}/simple/srs-demo-pkg/`, {
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    expect(
      ((await pep691.json()) as { files: { hashes: { sha256: string } }[] }).files[0]?.hashes.sha256,
    ).toBe(sha256);
  });

  it('accepts an identical re-upload (200) and refuses other bytes under the same file name (400)', async () => {
    const same = await upload([wheel]);
    expect(same.code, same.output).toBe(0);
    expect(pypi.files).toHaveLength(1);

    const other = await buildTinyWheel({ name: 'srs-demo_pkg', version: '1.2.0rc1', body: 'different' });
    dirs.push(other.dir);
    expect(basename(other.wheel)).toBe(basename(wheel));
    const clash = await upload([other.wheel]);
    expect(clash.code).not.toBe(0);
    expect(clash.output).toMatch(
      /HTTPError: 400 Bad Request[\s\S]*File already exists \('srs_demo_pkg-1\.2\.0rc1-py3-none-any\.whl'/,
    );
    expect(pypi.files).toHaveLength(1);
  }, 180_000);

  it('refuses a wrong password (403) and can fail the next request with 503', async () => {
    const denied = await upload([wheel], 'wrong');
    expect(denied.code).not.toBe(0);
    expect(denied.output).toMatch(/403/);

    // twine 4 re-POSTs on a 5xx, up to 5 times in all (twine/repository.py upload()).
    pypi.failNext(1);
    const retried = await upload([wheel]);
    expect(retried.code, retried.output).toBe(0);
    expect(retried.output).toContain('Received "503: Service Unavailable"');

    pypi.failNext(5);
    const unavailable = await upload([wheel]);
    expect(unavailable.code).not.toBe(0);
    expect(unavailable.output).toMatch(/503/);
    expect(pypi.requests.filter((r) => r.status === 503)).toHaveLength(6);
  });

  it('parses multipart bodies byte-exactly and normalizes names (PEP 503)', () => {
    const payload = Buffer.from([0, 13, 10, 45, 45, 255]);
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n'),
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="content"; filename="a.whl"\r\n'),
      Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
      payload,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const parts = parseMultipart(body, 'multipart/form-data; boundary=XyZ');
    expect(parts.map((p) => p.name)).toEqual([':action', 'content']);
    expect(parts[1]?.data.equals(payload)).toBe(true);
    expect(normalizeName('Foo_bar.Baz--qux')).toBe('foo-bar-baz-qux');
  });
});
