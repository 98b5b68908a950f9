/**
 * Fixed-size rows in a file of this process's own, addressed by slot: where
 * an open collection keeps its int8 codes, so a million points cost the
 * operating system's page cache instead of the process's memory (768 MiB at
 * 768 dims). The file is unlinked as soon as it is created: nothing else
 * can open it, and the kernel frees it when the process exits, however it
 * exits. It is derived data, rebuilt from SQLite on every open, so it is
 * never flushed.
 *
 * Read back in small chunks (RowFile.read): a chunk that fits the CPU's
 * cache is copied out of the page cache at several GB/s, where one large
 * read ran at 1.5 GB/s on the benchmark machine.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Closes a file whose RowFile was dropped (a collection reopened replaces its rows while a scan may still read the old ones). */
const closeWhenDropped = new FinalizationRegistry<number>((fd) => fs.close(fd, () => undefined));

export class RowFile {
  private readonly fd: number;

  /** A new, empty, already unlinked file in `dir` for rows of `rowBytes` bytes. */
  constructor(
    dir: string,
    readonly rowBytes: number,
  ) {
    const file = path.join(dir, `.rows-${process.pid}-${crypto.randomUUID()}`);
    this.fd = fs.openSync(file, 'wx+', 0o600);
    fs.unlinkSync(file);
    closeWhenDropped.register(this, this.fd, this);
  }

  /** Writes `rows` rows from `src` (from its start) at `slot`. */
  write(slot: number, src: Int8Array, rows = 1): void {
    const bytes = rows * this.rowBytes;
    // A disk that fills mid-write may take part of it without an error: that is a failed write too.
    const wrote = fs.writeSync(this.fd, src, 0, bytes, slot * this.rowBytes);
    if (wrote !== bytes) throw new Error(`row file: wrote ${wrote} of ${bytes} bytes at slot ${slot}`);
  }

  /** Reads `rows` rows from `slot` into `into` at row `at`. */
  read(slot: number, into: Int8Array, rows = 1, at = 0): void {
    const bytes = rows * this.rowBytes;
    const got = fs.readSync(this.fd, into, at * this.rowBytes, bytes, slot * this.rowBytes);
    if (got !== bytes) throw new Error(`row file: read ${got} of ${bytes} bytes at slot ${slot}`);
  }

  /** `read`, on libuv's thread pool. */
  readLater(slot: number, into: Int8Array, rows: number): Promise<void> {
    const bytes = rows * this.rowBytes;
    return new Promise((resolve, reject) => {
      fs.read(this.fd, into, 0, bytes, slot * this.rowBytes, (err, got) => {
        if (err) reject(err);
        else if (got !== bytes) reject(new Error(`row file: read ${got} of ${bytes} bytes at slot ${slot}`));
        else resolve();
      });
    });
  }

  close(): void {
    closeWhenDropped.unregister(this);
    fs.closeSync(this.fd);
  }
}
