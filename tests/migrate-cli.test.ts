import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { bearerRequest, jsonRequest } from './support/http.js';
import { createTestDatabase } from './support/postgres.js';
import { postgresAvailable } from './support/services.js';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/** `npm run db:migrate` as an operator runs it (no .env, development mode): exit code and output. */
async function migrate(databaseUrl: string): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ENV_FILE: '', DATABASE_URL: databaseUrl, DATABASE_DRIVER: 'pg' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: ROOT, env });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** The SQL block that follows `<!-- marker ... -->` in the README: the steps as documented. */
function readmeSql(marker: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- ${marker}[^>]*-->\\s*\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no SQL block after <!-- ${marker} -->`);
  return match[1]!;
}

/** The FastAPI original's tables, as SQLAlchemy's create_all makes them from its app/models.py. */
const ORIGINAL_SCHEMA = `
  CREATE TABLE users (id SERIAL PRIMARY KEY, avatar VARCHAR, username VARCHAR, email VARCHAR, hashed_password VARCHAR,
    google_id VARCHAR, is_admin BOOLEAN, is_blocked BOOLEAN, CONSTRAINT users_username_key UNIQUE (username));
  CREATE INDEX ix_users_id ON users (id);
  CREATE UNIQUE INDEX ix_users_email ON users (email);
  CREATE UNIQUE INDEX ix_users_google_id ON users (google_id);
  CREATE TABLE password_set (user_id INTEGER PRIMARY KEY REFERENCES users (id), old_hashed_password VARCHAR);
  CREATE INDEX ix_password_set_user_id ON password_set (user_id);`;

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe.skipIf(!(await postgresAvailable()))('npm run db:migrate, as an operator runs it', () => {
  const drops: (() => Promise<void>)[] = [];
  const fresh = async () => {
    const database = await createTestDatabase();
    drops.push(database.drop);
    return database.url;
  };
  afterAll(async () => {
    await closeDb();
    for (const drop of drops) await drop();
  });

  it('names the reason when the database cannot be reached, not only the statement', async () => {
    const { code, out } = await migrate('postgres://postgres@127.0.0.1:1/nothing');
    expect(code).toBe(1);
    expect(out).toMatch(/database error ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(out).toContain('while running: CREATE SCHEMA IF NOT EXISTS "drizzle"');
    expect(out).not.toContain('params:'); // the statement's first line, not drizzle's whole message
  }, 30_000);

  it("says what to do on a database that holds the FastAPI original's tables, and changes nothing", async () => {
    const url = await fresh();
    await sql(url, ORIGINAL_SCHEMA);
    const { code, out } = await migrate(url);
    expect(code).toBe(1);
    expect(out).toContain('database error 42P07: relation "users" already exists');
    expect(out).toContain('Moving from the FastAPI service');
    const columns = await sql(url, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users'");
    expect(columns.rows.map((r) => r.column_name)).toContain('hashed_password'); // the original's table, untouched
  }, 30_000);

  it("moves the original's accounts over with the README's steps: passwords, Google links and flags carry over", async () => {
    const url = await fresh();
    await sql(url, ORIGINAL_SCHEMA);
    const hash = bcrypt.hashSync('the original password', 4).replace(/^\$2a\$/, '$2b$'); // Python's bcrypt writes $2b$
    await sql(
      url,
      `INSERT INTO users (avatar, username, email, hashed_password, google_id, is_admin, is_blocked) VALUES
        ('https://res.cloudinary.com/demo/image/upload/ada.png', 'ada', 'Ada@Example.com', $1, NULL, false, NULL),
        (NULL, 'grace', 'grace@example.com', NULL, 'google-sub-123', NULL, NULL),
        (NULL, 'mallory', 'mallory@example.com', $1, NULL, false, true)`,
      [hash],
    );
    await sql(url, "INSERT INTO password_set (user_id, old_hashed_password) SELECT id, hashed_password FROM users WHERE username = 'ada'");

    await sql(url, readmeSql('fastapi-move'));
    const migrated = await migrate(url);
    // Named with its host and database (not its credentials), so a migration that went elsewhere shows.
    const { host, pathname } = new URL(url);
    expect(migrated.out).toContain(`migrations applied (pg, ${host}${pathname})`);
    expect(migrated.code).toBe(0);
    await sql(url, readmeSql('fastapi-copy'));

    const rows = await sql(url, 'SELECT username, email, google_sub, avatar_url, email_verified, is_admin, is_blocked FROM users ORDER BY username');
    expect(rows.rows).toEqual([
      { username: 'ada', email: 'ada@example.com', google_sub: null, avatar_url: 'https://res.cloudinary.com/demo/image/upload/ada.png', email_verified: false, is_admin: false, is_blocked: false },
      { username: 'grace', email: 'grace@example.com', google_sub: 'google-sub-123', avatar_url: null, email_verified: false, is_admin: false, is_blocked: false },
      { username: 'mallory', email: 'mallory@example.com', google_sub: null, avatar_url: null, email_verified: false, is_admin: false, is_blocked: true },
    ]);

    // The service on that database: the original's password signs in, by username or address.
    process.env.DATABASE_DRIVER = 'pg';
    process.env.DATABASE_URL = url;
    resetConfig();
    await closeDb();
    const signedIn = await login(jsonRequest('/api/login', { username: 'Ada@example.com', password: 'the original password' }));
    expect(signedIn.status).toBe(200);
    const { access_token } = (await signedIn.json()) as { access_token: string };
    const profile = await me(bearerRequest('/api/me', access_token));
    expect(await profile.json()).toMatchObject({ username: 'ada', email: 'ada@example.com', avatar_url: 'https://res.cloudinary.com/demo/image/upload/ada.png' });
    expect((await login(jsonRequest('/api/login', { username: 'mallory', password: 'the original password' }))).status).toBe(401); // still blocked
  }, 60_000);
});
