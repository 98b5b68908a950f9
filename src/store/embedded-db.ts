/**
 * The embedded store's tables in Sightline's SQLite file (sqlite-file.ts):
 * collections and points, vectors as float32 BLOBs, payloads as JSON.
 *
 * `point_changes` logs, in the same transaction as the write, the key (rowid)
 * of every point upserted or deleted. A saved ANN index records the last seq
 * it contains, so opening replays only what came after; `ann_pruned` says up
 * to which seq a collection's log was pruned, so an index older than that is
 * rebuilt rather than patched from an incomplete log.
 */
import type Database from 'better-sqlite3';
import { openSqliteFile } from './sqlite-file.ts';

export interface CollectionRow {
  name: string;
  feature: string;
  config: string;
  created_at: string;
}

export interface PointRow {
  /** The row's rowid: the point's key in the ANN index. */
  key: number;
  id: string;
  payload: string;
  vector: Buffer;
}

export function openDatabase(dataDir: string): Database.Database {
  return openSqliteFile(
    dataDir,
    `
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
      CREATE TABLE IF NOT EXISTS point_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        key INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS point_changes_by_collection ON point_changes (collection, seq);
      CREATE TABLE IF NOT EXISTS ann_pruned (
        collection TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
      ) STRICT;
    `,
    'the embedded store',
  );
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
    deleteChanges: db.prepare<[string]>('DELETE FROM point_changes WHERE collection = ?'),
    deletePruned: db.prepare<[string]>('DELETE FROM ann_pruned WHERE collection = ?'),
    countPoints: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM points WHERE collection = ?'),
    /**
     * A page of points in rowid order, after rowid `?2`: loading in pages lets the event loop run between them.
     * NOT INDEXED keeps SQLite on the rowid range: through the (collection, id) index it would sort the whole
     * collection for every page, which made opening quadratic (48 s for 100k points, 2 s blocks).
     */
    pointsAfter: db.prepare<[string, number, number], PointRow>(
      'SELECT rowid AS key, id, payload, vector FROM points NOT INDEXED WHERE collection = ? AND rowid > ? ORDER BY rowid LIMIT ?',
    ),
    pointByKey: db.prepare<[string, number], PointRow>(
      'SELECT rowid AS key, id, payload, vector FROM points WHERE collection = ? AND rowid = ?',
    ),
    /** A point's float32 vector, read back to rescore it (see point-matrix.ts). */
    vectorByKey: db.prepare<[string, number], { id: string; vector: Buffer }>(
      'SELECT id, vector FROM points WHERE collection = ? AND rowid = ?',
    ),
    upsertPoint: db.prepare<[string, string, string, Buffer], { key: number }>(
      `INSERT INTO points (collection, id, payload, vector) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET payload = excluded.payload, vector = excluded.vector
       RETURNING rowid AS key`,
    ),
    deletePoint: db.prepare<[string, string], { key: number }>(
      'DELETE FROM points WHERE collection = ? AND id = ? RETURNING rowid AS key',
    ),
    logChange: db.prepare<[string, number]>('INSERT INTO point_changes (collection, key) VALUES (?, ?)'),
    /**
     * The last seq handed out, to any collection, even if its row was pruned since (AUTOINCREMENT keeps it in
     * sqlite_sequence): where a fresh load starts replaying from.
     */
    lastChange: db.prepare<[], { seq: number | null }>(
      "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'point_changes') AS seq",
    ),
    /** Keys changed after seq `?2`, each with its latest seq. */
    changesAfter: db.prepare<[string, number], { key: number; seq: number }>(
      'SELECT key, MAX(seq) AS seq FROM point_changes WHERE collection = ? AND seq > ? GROUP BY key ORDER BY seq',
    ),
    /** Is there a change after seq `?2` (another process's write this one has not applied)? */
    changedAfter: db.prepare<[string, number], { found: number }>(
      'SELECT EXISTS (SELECT 1 FROM point_changes WHERE collection = ? AND seq > ?) AS found',
    ),
    prunedThrough: db.prepare<[string], { seq: number }>('SELECT seq FROM ann_pruned WHERE collection = ?'),
    pruneChanges: db.prepare<[string, number]>('DELETE FROM point_changes WHERE collection = ? AND seq <= ?'),
    recordPruned: db.prepare<[string, number]>(
      `INSERT INTO ann_pruned (collection, seq) VALUES (?, ?)
       ON CONFLICT (collection) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
