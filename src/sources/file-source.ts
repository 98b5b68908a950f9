/**
 * A file on the machine that runs the CLI. The server never reads one: only
 * the CLI's parse (`localFilesFrom`) makes a file source. The same size cap
 * applies as to any other source, checked before reading and while reading.
 */
import fs from 'node:fs';
import { ErrorCode, SightlineError } from '../errors.ts';
import { assertWithinCap, readCappedBody } from './capped-body.ts';

function openError(file: string, err: NodeJS.ErrnoException): SightlineError {
  const details = { source: file, errno: err.code ?? 'unknown' };
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SightlineError(ErrorCode.SOURCE_NOT_FOUND, `no such file: ${file}`, details, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new SightlineError(ErrorCode.SOURCE_FORBIDDEN, `no permission to read ${file}`, details, { cause: err });
    default:
      return new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `could not read ${file}: ${err.message}`, details, { cause: err });
  }
}

export async function readFileSource(file: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<Buffer> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw openError(file, err as NodeJS.ErrnoException);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new SightlineError(ErrorCode.INVALID_SOURCE, `${file} is not a regular file`, { source: file });
    }
    assertWithinCap(file, opts.maxBytes, stat.size);
    // The file may grow after the stat: the read stops at the cap all the same.
    const stream = handle.createReadStream({ autoClose: false });
    return await readCappedBody(stream, { label: file, maxBytes: opts.maxBytes, signal: opts.signal ?? new AbortController().signal });
  } catch (err) {
    if (err instanceof SightlineError) throw err;
    throw openError(file, err as NodeJS.ErrnoException);
  } finally {
    await handle.close();
  }
}
