// Runs before every test file: cheap bcrypt, fixed keys, an in-memory PGlite and a private data
// folder, so no test touches the developer's .data/. Files that use a server override these.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

delete process.env.VERCEL_ENV;
process.env.NODE_ENV = 'test';
process.env.BCRYPT_COST ??= '4';
process.env.SECRET_KEY ??= 'test-secret-key-that-is-long-enough-0123456789';
process.env.SESSION_SECRET_KEY ??= 'test-session-key-that-is-long-enough-0123456789';
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'auth-test-'));
process.env.PGLITE_DATA_DIR = 'memory://';
process.env.FRONTEND_CALLBACK_URL ??= 'http://localhost:5173/auth/callback';
delete process.env.DATABASE_URL;
delete process.env.SQLALCHEMY_DATABASE_URL;
