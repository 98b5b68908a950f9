/**
 * The embedded store's SQLite file: collections and points, vectors as
 * float32 BLOBs, payloads as JSON. WAL with synchronous=FULL makes a
 * committed transaction survive kill -9 and power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, SightlineError } from '../errors.ts';

export const DB_FILE = 'sightline.db';

export interface CollectionRow {
  name: string;
  feature: string;
  config: string;
  created_at: string;
}

export interface PointRow {
  id: string;
  payload: string;
  vector: Buffer;
}

export function openDatabase(dataDir: string): Database.Database {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const db = new Database(path.join(dataDir, DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // A CLI and a server may share the file; wait for the other's write rather than fail.
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS collections (
        name TEXT PRIMARY KEY,
        feature TEXT NOT NULL,
        config TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS points (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (collection, id)
      ) STRICT;
    `);
    return db;
  } catch (err) {
    throw new SightlineError(
      ErrorCode.STORE_UNAVAILABLE,
      `cannot open the embedded store in ${dataDir}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  }
}

/** The prepared statements the store uses; preparing once keeps hot paths cheap. */
export function prepareStatements(db: Database.Database) {
  return {
    collection: db.prepare<[string], CollectionRow>('SELECT * FROM collections WHERE name = ?'),
    collections: db.prepare<[], CollectionRow>('SELECT * FROM collections ORDER BY name'),
    insertCollection: db.prepare<[string, string, string, string]>(
      'INSERT INTO collections (name, feature, config, created_at) VALUES (?, ?, ?, ?)',
    ),
    deleteCollection: db.prepare<[string]>('DELETE FROM collections WHERE name = ?'),
    deleteAllPoints: db.prepare<[string]>('DELETE FROM points WHERE collection = ?'),
    countPoints: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM points WHERE collection = ?'),
    points: db.prepare<[string], PointRow>('SELECT id, payload, vector FROM points WHERE collection = ?'),
    upsertPoint: db.prepare<[string, string, string, Buffer]>(
      `INSERT INTO points (collection, id, payload, vector) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET payload = excluded.payload, vector = excluded.vector`,
    ),
    deletePoint: db.prepare<[string, string]>('DELETE FROM points WHERE collection = ? AND id = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
