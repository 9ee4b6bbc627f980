import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { closeDb, getDb } from '../lib/db/client.js';

// The lock (`<dir>.lock`, beside the folder) as a parent directory the process may not write in
// would refuse it: proper-lockfile's own error, as it throws it there.
let refusal: NodeJS.ErrnoException | undefined;
vi.mock('proper-lockfile', async (original) => {
  const actual = await original<typeof import('proper-lockfile')>();
  const lock: typeof actual.lock = async (...args) => {
    if (refusal) throw refusal;
    return actual.lock(...args);
  };
  return { ...actual, lock, default: { ...actual, lock } };
});

/** The embedded database in a folder of its own (the suite's other tests use memory://). */
describe('the lock on an embedded database folder', () => {
  const saved = process.env.PGLITE_DATA_DIR;
  afterEach(async () => {
    await closeDb();
    refusal = undefined;
    process.env.PGLITE_DATA_DIR = saved;
    process.env.DATABASE_DRIVER = 'pglite';
    resetConfig();
  });

  async function open(): Promise<string> {
    process.env.DATABASE_DRIVER = 'pglite';
    process.env.PGLITE_DATA_DIR = join(mkdtempSync(join(tmpdir(), 'pglite-lock-')), 'pglite');
    resetConfig();
    await closeDb();
    const db = await getDb();
    await db.execute('select 1');
    return process.env.PGLITE_DATA_DIR;
  }

  it('is taken while the database is open and given back when it closes', async () => {
    const dir = await open();
    const lockfile = (await import('proper-lockfile')).default;
    expect(await lockfile.check(dir)).toBe(true);
    await closeDb();
    expect(await lockfile.check(dir)).toBe(false);
  });

  it('when it cannot be made (EACCES, EPERM or a read-only parent beside a writable folder), the database still opens, with a warning', async () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      refusal = Object.assign(new Error(`${code}: refused, mkdir`), { code });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const dir = await open();
        expect(warn.mock.calls.flat().join('\n')).toContain(`no lock on ${dir} (${code}`);
      } finally {
        warn.mockRestore();
      }
    }
  });

  it('is given back when the folder cannot be opened, so the next try is not refused as busy', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pglite-lock-')), 'pglite');
    mkdirSync(dir);
    writeFileSync(join(dir, 'PG_VERSION'), '99\n'); // no database PGlite can open
    process.env.DATABASE_DRIVER = 'pglite';
    process.env.PGLITE_DATA_DIR = dir;
    resetConfig();
    await closeDb();
    await expect(getDb()).rejects.toThrow();
    const lockfile = (await import('proper-lockfile')).default;
    expect(await lockfile.check(dir)).toBe(false);
  });

  it('any other failure to lock still stops the open', async () => {
    refusal = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    await expect(open()).rejects.toThrow('EIO');
  });
});
