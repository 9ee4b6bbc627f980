import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis as IORedis } from 'ioredis';
import { REDIS_URL } from './services.js';

type Command = (string | number)[];

/**
 * An Upstash-REST-compatible server in front of the local Redis, so the real `@upstash/redis`
 * and `@upstash/ratelimit` can be tested here: `POST /` runs one command, `/pipeline` several,
 * `/multi-exec` several in a transaction; a bearer token is required; with `Upstash-Encoding:
 * base64` every string in the answer is base64, as Upstash does.
 *
 * Stock Redis 7 refuses the `#!lua flags=allow-key-locking` first line that @upstash/ratelimit
 * 2.1+ puts on its scripts (Upstash accepts it), so that line is stripped from EVAL and SCRIPT LOAD.
 * The hash of the unstripped script is mapped to the stripped one, so that EVALSHA with the hash
 * the client computed works as on Upstash once the script was loaded (otherwise every call would
 * answer NOSCRIPT and cost the client a second round trip, which Upstash does not).
 *
 * `close()` stops it and drops open connections: what a client sees when Upstash is down.
 */
export async function startUpstashRest(): Promise<{ url: string; token: string; close: () => Promise<void> }> {
  const token = randomBytes(16).toString('hex');
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { error: 'Unauthorized' });
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Command | Command[];
    const encode = (value: unknown) => (base64 ? encodeStrings(value) : value);
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');

    if (path === '') {
      try {
        return reply(res, 200, { result: encode(await run(body as Command)) });
      } catch (error) {
        return reply(res, 400, { error: errorText(error) });
      }
    }
    if (path === '/pipeline') {
      const results = await Promise.all(
        (body as Command[]).map((command) =>
          run(command).then(
            (result) => ({ result: encode(result) }),
            (error: unknown) => ({ error: errorText(error) }),
          ),
        ),
      );
      return reply(res, 200, results);
    }
    if (path === '/multi-exec') {
      const multi = redis.multi();
      for (const command of body as Command[]) {
        const [name, ...args] = prepare(command);
        multi.call(name, ...args);
      }
      try {
        const results = (await multi.exec()) ?? [];
        return reply(res, 200, results.map(([error, result]) => (error ? { error: errorText(error) } : { result: encode(result) })));
      } catch (error) {
        return reply(res, 400, { error: errorText(error) });
      }
    }
    return reply(res, 404, { error: `no such path ${path}` });
  }

  function run(command: Command): Promise<unknown> {
    const [name, ...args] = prepare(command);
    return redis.call(name, ...args);
  }

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      redis.disconnect();
    },
  };
}

/** Client-side hash of a script with its shebang → hash of the stripped script Redis knows. */
const strippedSha = new Map<string, string>();
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Strips the shebang line stock Redis rejects from scripts; every argument as a string. */
function prepare(command: Command): [string, ...string[]] {
  const [name, ...rest] = command.map(String) as [string, ...string[]];
  const upper = name.toUpperCase();
  const strip = (script: string) => {
    const stripped = script.replace(/^#!lua[^\n]*\n/, '');
    if (stripped !== script) strippedSha.set(sha1(script), sha1(stripped));
    return stripped;
  };
  if ((upper === 'EVAL' || upper === 'EVAL_RO') && rest[0] !== undefined) rest[0] = strip(rest[0]);
  if (upper === 'SCRIPT' && rest[0]?.toUpperCase() === 'LOAD' && rest[1] !== undefined) rest[1] = strip(rest[1]);
  if ((upper === 'EVALSHA' || upper === 'EVALSHA_RO') && rest[0] !== undefined) rest[0] = strippedSha.get(rest[0].toLowerCase()) ?? rest[0];
  return [name, ...rest];
}

function encodeStrings(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map(encodeStrings);
  return value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
