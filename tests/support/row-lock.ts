import pg from 'pg';
import { expect } from 'vitest';

/**
 * A user row held under `FOR UPDATE` by a connection of its own (to DATABASE_URL), so that a test
 * can let requests read the row, queue them on its lock, change the row meanwhile, and then let
 * them go: the moment in between that a race needs, made certain rather than hoped for.
 *
 * @example const lock = await lockUserRow(id); const p = work(); await lock.waiters(1); await lock.commit();
 */
export async function lockUserRow(id: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
  let open = true;
  return {
    /** Resolves once `n` other sessions of this database wait on a lock. */
    waiters: (n: number) =>
      expect
        // Inside a transaction pg_stat_activity answers from a snapshot taken at its first read:
        // cleared before each look, or a second waiter arriving later would never show.
        .poll(async () => {
          await client.query('SELECT pg_stat_clear_snapshot()');
          return (await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n as number;
        })
        .toBeGreaterThanOrEqual(n),
    /** A statement inside the lock's transaction (a change the waiting requests will find). */
    query: (text: string, values: unknown[] = []) => client.query(text, values),
    /** Commits the changes and lets the waiting requests go. */
    commit: async () => {
      open = false;
      await client.query('COMMIT');
      await client.end();
    },
    /** For `finally`: rolls back and closes, unless committed. */
    release: async () => {
      if (!open) return;
      open = false;
      await client.query('ROLLBACK').catch(() => {});
      await client.end();
    },
  };
}
