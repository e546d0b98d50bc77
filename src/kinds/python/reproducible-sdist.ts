import { rename } from 'node:fs/promises';
import { exec, type ExecContext } from '../../exec.js';

/**
 * setuptools writes each file's own modification time, its owner, and the build's time into the
 * sdist, so the same commit built again (a resumed release in a fresh checkout) gives other bytes,
 * which the index and the GitHub release would then refuse as a different file. The sdist is
 * therefore rewritten with the same entries and contents in a fixed form: sorted by name, every
 * time SOURCE_DATE_EPOCH, owner 0/0 without names, modes 0644/0755, a gzip header without time.
 * Fixed Python source; the paths and the time travel in argv.
 */
const NORMALIZE = [
  'import gzip, io, sys, tarfile',
  'source, target, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])',
  'buffer = io.BytesIO()',
  'with tarfile.open(source, "r:gz") as archive, \\',
  '        tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as out:',
  '    for member in sorted(archive.getmembers(), key=lambda m: m.name):',
  '        data = archive.extractfile(member).read() if member.isfile() else None',
  '        member.mtime = epoch',
  '        member.uid = member.gid = 0',
  '        member.uname = member.gname = ""',
  '        member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644',
  '        member.pax_headers = {}',
  '        out.addfile(member, io.BytesIO(data) if data is not None else None)',
  'with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:',
  '    gz.write(buffer.getvalue())',
].join('\n');

export async function makeSdistReproducible(
  interpreter: string,
  ctx: ExecContext,
  file: string,
  epoch: string,
): Promise<void> {
  const partial = `${file}.partial`;
  await exec(ctx, interpreter, ['-c', NORMALIZE, file, partial, epoch], { quiet: true });
  await rename(partial, file);
}
