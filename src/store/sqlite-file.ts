/**
 * Sightline's one SQLite file, DATA_DIR/sightline.db: the embedded store's
 * tables and the ingest jobs' live there. WAL with synchronous=FULL makes a
 * committed transaction survive kill -9 and power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, SightlineError } from '../errors.ts';

export const DB_FILE = 'sightline.db';

/** Opens (creating) the file and the tables `schema` declares; STORE_UNAVAILABLE naming `owner` when it cannot. */
export function openSqliteFile(dataDir: string, schema: string, owner: string): Database.Database {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const db = new Database(path.join(dataDir, DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // A CLI and a server may share the file; wait for the other's write rather than fail.
    db.pragma('busy_timeout = 5000');
    db.exec(schema);
    return db;
  } catch (err) {
    throw new SightlineError(
      ErrorCode.STORE_UNAVAILABLE,
      `cannot open ${owner} in ${dataDir}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  }
}
