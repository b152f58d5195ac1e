import Database from 'better-sqlite3';
import {
  type KeptNotification,
  type NotificationInbox,
  notificationId,
  type SnapshotStore,
  type StoredWatch,
} from './snapshot-store.ts';

/**
 * Options of {@link createSqliteSnapshotStore}.
 *
 * @example
 * ```ts
 * const options: SqliteSnapshotStoreOptions = { table: 'payment_watches' };
 * ```
 */
export interface SqliteSnapshotStoreOptions {
  /**
   * Table name (letters, digits, underscore). Default `tradestate_watches`. The notification inbox lives beside
   * it, in `<table>_inbox`.
   */
  readonly table?: string | undefined;
}

/**
 * A {@link SnapshotStore} in an embedded SQLite database (better-sqlite3 12, synchronous). Give it a file
 * path (opened in WAL mode, created if missing) or an open `Database` you manage. Snapshots are stored as
 * JSON text, one row per watched order; the notification inbox in a second table, one row per kept
 * notification. Both tables are created if missing, so a database written by an earlier version (snapshots
 * only) opens as it is and gains an empty inbox. Every write is done (durable, with SQLite's own guarantees)
 * when the call returns.
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
): SnapshotStore & { readonly inbox: NotificationInbox; close(): void } {
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
  const inbox = createInbox(db, `${table}_inbox`);
  return {
    inbox,
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

/** The inbox table: a notification is identified by its outcome's JSON, so a duplicate is one row. */
function createInbox(db: Database.Database, table: string): NotificationInbox {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT NOT NULL, notification TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (key, notification))`,
  );
  const insert = db.prepare<[string, string, number]>(
    `INSERT INTO ${table} (key, notification, received_at) VALUES (?, ?, ?) ON CONFLICT(key, notification) DO NOTHING`,
  );
  const forKey = db.prepare<[string], { notification: string; received_at: number }>(
    `SELECT notification, received_at FROM ${table} WHERE key = ? ORDER BY received_at, notification`,
  );
  const remove = db.prepare<[string, string]>(`DELETE FROM ${table} WHERE key = ? AND notification = ?`);
  const all = db.prepare<[], { key: string; notification: string; received_at: number }>(
    `SELECT key, notification, received_at FROM ${table} ORDER BY received_at, key, notification`,
  );
  const toKept = (row: { notification: string; received_at: number }): KeptNotification => ({
    outcome: JSON.parse(row.notification) as KeptNotification['outcome'],
    receivedAt: row.received_at,
  });
  return {
    put: (key, notification) => {
      insert.run(key, notificationId(notification), notification.receivedAt);
    },
    get: (key) => forKey.all(key).map(toKept),
    delete: (key, notification) => {
      remove.run(key, notificationId(notification));
    },
    list: () => all.all().map((row) => [row.key, toKept(row)] as const),
  };
}
