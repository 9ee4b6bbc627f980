import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../lib/config.js';
import { PRODUCTION_ENV, problemsOf } from './support/production-env.js';

const CONFIG_VARIABLES = configVariables();

const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** A variable added to the configuration is one a deployer must be able to find and understand. */
describe('every configuration variable is documented', () => {
  it('has a line in .env.example, under a comment (one may head a group of lines)', () => {
    const lines = read('.env.example').split('\n');
    const undocumented = CONFIG_VARIABLES.filter((name) => {
      const at = lines.findIndex((line) => new RegExp(`^(# )?${name}=`).test(line));
      if (at < 0) return true;
      // Variables that share one comment sit right under it, one after another.
      let above = at - 1;
      while (above >= 0 && /^(# )?[A-Z][A-Z0-9_]*=/.test(lines[above]!)) above--;
      return !lines[above]?.startsWith('# ');
    });
    expect(undocumented).toEqual([]);
  });

  it('is in the table under "Environment variables" in the README', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('\n## Environment variables\n'), readme.indexOf('\n## ', readme.indexOf('\n## Environment variables\n') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(30);
    expect(CONFIG_VARIABLES.filter((name) => !rows.some((row) => row.split('|')[1]!.includes(`\`${name}\``)))).toEqual([]);
  });

  it('pasted as is into a production deployment, fills in none of the variables production requires: each is named missing', () => {
    // Vercel's "paste .env" box reads KEY=value lines as dotenv does; a commented or empty one sets nothing.
    const pasted = { ...parseEnv(read('.env.example')), VERCEL_ENV: 'production' };
    const problems = problemsOf(pasted);
    const required = ['DATABASE_URL', ...Object.keys(PRODUCTION_ENV).filter((name) => name !== 'NODE_ENV')];
    expect(required).toContain('FRONTEND_CALLBACK_URL');
    expect(required.filter((name) => !problems.includes(`${name} is missing`))).toEqual([]);
  });

  it('knows the variables the schema reads (a check of the list itself)', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['DATABASE_URL', 'SECRET_KEY', 'RATE_LIMIT_PROFILE_USER', 'AVATAR_MAX_BYTES']));
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(50);
  });
});
