/**
 * The SQLite snapshot store (`better-sqlite3`, an optional peer dependency).
 *
 * @example
 * ```ts
 * import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
 * const store = createSqliteSnapshotStore('watches.db');
 * ```
 * @module
 */
export * from './stores/sqlite.ts';
