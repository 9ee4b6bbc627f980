import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { closeDb } from '../../lib/db/client.js';
import { productionEnvironment, withEnv } from './environment.js';
import { requestFor } from './requests.js';
import { seedAccount } from './seed.js';
const production = await productionEnvironment();
const account = await withEnv(production.env, async () => { const s = await seedAccount(); await closeDb(); return s; });
const route = process.argv[2]!; const method = process.argv[3]!;
const spec = { ...requestFor(route, account), method };
const file = join('.data/bench/bundles/bundled', route.replaceAll('/', '_'), 'index.mjs');
for (let i = 0; i < 3; i++) {
  const r = await promisify(execFile)(process.execPath, [...(process.argv[4] ? process.argv[4].split(' ') : []), 'scripts/bench/cold-start-child.mjs', file, JSON.stringify(spec)], { env: production.env, encoding: 'utf8' }).catch((e) => e);
  console.log(r.stdout.slice(0, 100), r.stderr.slice(0, 2000));
}
await production.close();
process.exit(0);
