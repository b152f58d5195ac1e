import Database from 'better-sqlite3';
import type { SnapshotStore, StoredWatch } from './snapshot-store.ts';

/**
 * Options of {@link createSqliteSnapshotStore}.
 *
 * @example
 * ```ts
 * const options: SqliteSnapshotStoreOptions = { table: 'payment_watches' };
 * ```
 */
export interface SqliteSnapshotStoreOptions {
  /** Table name (letters, digits, underscore). Default `tradestate_watches`. */
  readonly table?: string | undefined;
}

/**
 * A {@link SnapshotStore} in an embedded SQLite database (better-sqlite3 12, synchronous). Give it a file
 * path (opened in WAL mode, created if missing) or an open `Database` you manage. Snapshots are stored as
 * JSON text, one row per watched order.
 *
 * @example
 * ```ts
 * import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
 * const store = createSqliteSnapshotStore('/var/lib/shop/watches.db');
 * resumeWatches(store, client, { schedule: schedules.backend }).subscribe(handle);
 * ```
 */
export function createSqliteSnapshotStore(
  pathOrDb: string | Database.Database,
  options: SqliteSnapshotStoreOptions = {},
): SnapshotStore & { close(): void } {
  const table = options.table ?? 'tradestate_watches';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new RangeError('table must be letters, digits and underscores');
  const owned = typeof pathOrDb === 'string';
  const db = owned ? new Database(pathOrDb) : pathOrDb;
  if (owned) db.pragma('journal_mode = WAL');
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, snapshot TEXT NOT NULL, updated_at INTEGER NOT NULL)`,
  );
  const getRow = db.prepare<[string], { snapshot: string; updated_at: number }>(
    `SELECT snapshot, updated_at FROM ${table} WHERE key = ?`,
  );
  const upsert = db.prepare<[string, string, number]>(
    `INSERT INTO ${table} (key, snapshot, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`);
  const all = db.prepare<[], { key: string; snapshot: string; updated_at: number }>(
    `SELECT key, snapshot, updated_at FROM ${table} ORDER BY key`,
  );
  const toEntry = (row: { snapshot: string; updated_at: number }): StoredWatch => ({
    snapshot: JSON.parse(row.snapshot) as StoredWatch['snapshot'],
    updatedAt: row.updated_at,
  });
  return {
    get: (key) => {
      const row = getRow.get(key);
      return row === undefined ? undefined : toEntry(row);
    },
    set: (key, entry) => {
      upsert.run(key, JSON.stringify(entry.snapshot), entry.updatedAt);
    },
    delete: (key) => {
      remove.run(key);
    },
    list: () => all.all().map((row) => [row.key, toEntry(row)] as const),
    close: () => {
      if (owned) db.close();
    },
  };
}
