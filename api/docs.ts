import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import document from '../lib/openapi/openapi.json' with { type: 'json' };
import { json } from '../lib/respond.js';

/**
 * GET /api/docs: the OpenAPI 3.1 document, which /docs (Swagger UI) and /redoc (ReDoc) read.
 * It holds no user data and changes only with a deploy, so browsers and the CDN may keep it a
 * few minutes (every other answer is `no-store`). The file is generated from the zod schemas by
 * `npm run docs:generate` (a test fails while it is stale), so a cold start does not build it.
 */
export const GET = endpoint(async () => json(document, 200, { 'Cache-Control': 'public, max-age=300' }));

export const { OPTIONS, HEAD, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
