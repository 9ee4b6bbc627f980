import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { internalError, PUBLIC } from '../responses.js';

/** GET /api/docs: the document itself. No 4xx: it takes no input it could refuse; a 500 when the deployment lacks a setting. */
export const docs: RouteConfig = {
  method: 'get',
  path: '/api/docs',
  operationId: 'getOpenApiDocument',
  tags: ['Documentation'],
  summary: 'This OpenAPI document',
  description: 'The OpenAPI 3.1 description of this API, generated from the same zod schemas the endpoints validate with; `/docs` (Swagger UI) and `/redoc` (ReDoc) read it.',
  security: PUBLIC,
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document.',
      headers: { 'Cache-Control': { description: 'Cacheable for a few minutes.', schema: { type: 'string' } } },
      content: { 'application/json': { schema: { type: 'object', description: 'An OpenAPI 3.1 document.' } } },
    },
    ...internalError,
  },
};
