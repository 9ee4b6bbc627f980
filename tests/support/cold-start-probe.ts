// Run as a child process by tests/avatars.unit.test.ts: loads every function that exists, serves a
// login and a JSON sign-up, and prints whether the Cloudinary SDK was loaded (it must not be), then
// loads it on purpose to show that the check can see it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((path) => path.includes('/node_modules/cloudinary/'));

const register = await import('../../api/register.js');
const login = await import('../../api/login.js');
await import('../../api/me.js');
const account = { username: 'probe_user', email: 'probe@example.com', password: 'correct horse battery' };
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const signedUp = await register.POST(new Request('http://localhost/api/register', json(account)));
const signedIn = await login.POST(new Request('http://localhost/api/login', json({ username: account.username, password: account.password })));
const before = loaded();
await import('cloudinary');
console.log(JSON.stringify({ statuses: [signedUp.status, signedIn.status], before, after: loaded() }));
process.exit(0);
