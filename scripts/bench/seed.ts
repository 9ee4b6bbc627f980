import type { BenchAccount } from './requests.js';

/** Signs up the bench's two accounts through the real register handler (in this process's environment). */
export async function seedAccount(): Promise<BenchAccount> {
  const { migrateDatabase } = await import('../migrate.js');
  await migrateDatabase();
  const main = await signUp('bench');
  const other = await signUp('bench_reset');
  return { ...main, resetEmail: other.email };
}

async function signUp(prefix: string): Promise<Omit<BenchAccount, 'resetEmail'>> {
  const { POST: register } = await import('../../api/register.js');
  const id = `${process.pid}_${Date.now().toString(36)}`;
  const account = { username: `${prefix}_${id}`, email: `${prefix}_${id}@example.com`, password: 'bench password' };
  const response = await register(
    new Request('https://auth.example.com/api/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
      body: JSON.stringify(account),
    }),
  );
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  const { access_token, user } = (await response.json()) as { access_token: string; user: { id: string } };
  return { ...account, id: user.id, token: access_token };
}
