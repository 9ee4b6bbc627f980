import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets the embedded (non-production) defaults generate once and keep in the data folder. */
export interface LocalSecrets {
  SECRET_KEY: string;
  SESSION_SECRET_KEY: string;
}

/**
 * Reads `<dataDir>/secrets.json`, creating it with fresh random keys on first use.
 * Never used in production, where a missing key is a configuration error.
 *
 * @example const { SECRET_KEY } = loadLocalSecrets('.data');
 */
export function loadLocalSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  const existing = readSecrets(file);
  if (existing) return existing;
  const fresh: LocalSecrets = {
    SECRET_KEY: randomBytes(32).toString('base64url'),
    SESSION_SECRET_KEY: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  // Written whole under another name, then linked into place: linking fails when the file exists,
  // so two processes starting together agree on one file, and neither can read a half-written one.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readSecrets(file)!;
  } finally {
    unlinkSync(temporary);
  }
}

/** The secrets in `file`, undefined when there is no file; a file that is not what we wrote is named. */
function readSecrets(file: string): LocalSecrets | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // Both keys or none: a file without them (`{}`, an edit) would leave the keys undefined, and
    // every token signed or checked afterwards would fail with no word of this file.
    const { SECRET_KEY, SESSION_SECRET_KEY } = JSON.parse(text) ?? {};
    if (typeof SECRET_KEY === 'string' && SECRET_KEY && typeof SESSION_SECRET_KEY === 'string' && SESSION_SECRET_KEY) return { SECRET_KEY, SESSION_SECRET_KEY };
  } catch {
    // Not JSON: named below as well.
  }
  throw new Error(`${file} is not the JSON this service writes; delete it to have new keys generated (tokens signed with the old ones stop working)`);
}
