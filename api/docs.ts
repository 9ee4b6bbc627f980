import { endpoint } from '../lib/endpoint.js';
import { otherMethods } from '../lib/other-methods.js';
import { openApiDocument } from '../lib/openapi/document.js';
import { json } from '../lib/respond.js';

/**
 * GET /api/docs: the OpenAPI 3.1 document, which /docs (Swagger UI) and /redoc (ReDoc) read.
 * It holds no user data and changes only with a deploy, so browsers and the CDN may keep it a
 * few minutes (every other answer is `no-store`).
 */
export const GET = endpoint(async () => json(openApiDocument(), 200, { 'Cache-Control': 'public, max-age=300' }));

export const { OPTIONS, HEAD, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
