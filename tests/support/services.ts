import { Socket } from 'node:net';

/**
 * Whether a local server answers on host:port. When it does not, the suites that need it are
 * skipped with a printed reason, unless REQUIRE_SERVICES=1 (CI), which makes that a failure.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  const ok = await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
  if (!ok) {
    const reason = `${name} is not reachable at ${host}:${port}`;
    if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${reason}, and REQUIRE_SERVICES=1 makes that a failure`);
    console.warn(`skipped: ${reason} (set REQUIRE_SERVICES=1 to make this fail)`);
  }
  return ok;
}

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function postgresAvailable(): Promise<boolean> {
  const url = new URL(POSTGRES_ADMIN_URL);
  return serviceAvailable('PostgreSQL', url.hostname, Number(url.port || 5432));
}

export function redisAvailable(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  return serviceAvailable('Redis', url.hostname, Number(url.port || 6379));
}
