import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { startWsProxy } from './ws-proxy.js';

/** The PostgreSQL error fields Neon's HTTP endpoint returns with a 400, as the driver reads them. */
const ERROR_FIELDS = ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'] as const;

/** Every value as PostgreSQL's text output, which the driver parses itself by type OID. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

interface Query {
  query: string;
  params: (string | null)[];
}

/**
 * A stand-in for Neon's SQL-over-HTTP endpoint in front of the local PostgreSQL, so the real
 * `@neondatabase/serverless` HTTP driver (as the functions use it) can be tested here:
 * `POST /sql` with the connection string in `Neon-Connection-String` and `{query, params}` (or a
 * batch `{queries}` run in one transaction); answers `{command, rowCount, fields, rows}` with rows
 * as arrays of text, a PostgreSQL error as 400 with its fields, and a failure to reach PostgreSQL
 * as 502 "Couldn't connect to compute node" (one lost mid-query as 502 "Connection to compute
 * node lost", as the statement may have run). Connections are pooled per connection string, as
 * Neon keeps them warm. Only loopback databases are allowed. `requests()` counts what it was sent;
 * `close()` ends it all.
 */
export async function startNeonHttp(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const pools = new Map<string, pg.Pool>();
  const listened = new WeakSet<pg.PoolClient>();
  const poolFor = (connectionString: string): pg.Pool => {
    let pool = pools.get(connectionString);
    if (!pool) {
      pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 1_000 });
      pool.on('error', () => {});
      pools.set(connectionString, pool);
    }
    return pool;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/sql') return reply(res, 404, { message: 'POST /sql only' });
    const connectionString = String(req.headers['neon-connection-string'] ?? '');
    const host = URL.canParse(connectionString) ? new URL(connectionString).hostname : '';
    if (host !== '127.0.0.1' && host !== 'localhost') return reply(res, 400, { message: 'loopback databases only' });
    if (req.headers['neon-raw-text-output'] !== 'true' || req.headers['neon-array-mode'] !== 'true') {
      return reply(res, 400, { message: 'this stand-in answers raw text in array mode only, as the driver asks' });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Query | { queries: Query[] };

    let client: pg.PoolClient;
    try {
      client = await poolFor(connectionString).connect();
    } catch (error) {
      return reply(res, 502, { message: `Couldn't connect to compute node: ${error instanceof Error ? error.message : String(error)}` });
    }
    // A checked-out client whose connection dies also emits 'error' (its query fails either way, and
    // a released client may still emit it); without a listener that would be an uncaught exception.
    if (!listened.has(client)) {
      listened.add(client);
      client.on('error', () => {});
    }
    let broken = false;
    try {
      if ('queries' in body) {
        const level = String(req.headers['neon-batch-isolation-level'] ?? 'ReadCommitted').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
        await client.query(`BEGIN ISOLATION LEVEL ${level}`);
        const results = [];
        try {
          for (const query of body.queries) results.push(await run(client, query));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        return reply(res, 200, { results });
      }
      return reply(res, 200, await run(client, body));
    } catch (error) {
      const e = error as Record<string, unknown> & Error;
      if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
        return reply(res, 400, { message: e.message, ...Object.fromEntries(ERROR_FIELDS.map((f) => [f, e[f]])) });
      }
      broken = true; // the connection itself failed mid-query: the statement may have run
      return reply(res, 502, { message: `Connection to compute node lost: ${e.message}` });
    } finally {
      client.release(broken);
    }
  }

  async function run(client: pg.PoolClient, { query, params }: Query) {
    const result = await client.query({ text: query, values: params, rowMode: 'array', types: RAW_TEXT });
    return {
      command: result.command,
      rowCount: result.rowCount,
      rows: result.rows,
      fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID, tableID: f.tableID, columnID: f.columnID, dataTypeSize: f.dataTypeSize, dataTypeModifier: f.dataTypeModifier, format: 'text' })),
      rowAsArray: true,
    };
  }

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sql`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => {})));
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Both local stand-ins the Neon driver needs, as on Neon: the HTTP SQL endpoint for the functions'
 * queries and the WebSocket proxy for migrations. `env` points the configuration at them.
 */
export async function startNeonStandIns(): Promise<{ env: { NEON_HTTP_ENDPOINT: string; NEON_WS_PROXY: string }; requests: () => number; close: () => Promise<void> }> {
  const http = await startNeonHttp();
  const ws = await startWsProxy();
  return {
    env: { NEON_HTTP_ENDPOINT: http.url, NEON_WS_PROXY: ws.url },
    requests: http.requests,
    close: async () => {
      await ws.close();
      await http.close();
    },
  };
}
