import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh: LocalSecrets = {
    SECRET_KEY: randomBytes(32).toString('base64url'),
    SESSION_SECRET_KEY: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' so that two processes starting together agree on one file: the loser reads the winner's.
    writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  }
}
