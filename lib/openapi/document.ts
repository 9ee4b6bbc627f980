import { fileURLToPath } from 'node:url';
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import pkg from '../../package.json' with { type: 'json' };
import { BEARER, PASSWORD_FLOW } from './responses.js';
import { DOCUMENTED } from './routes/index.js';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** One sentence per tag, in the order the pages show them. */
const TAGS = [
  { name: 'Account', description: 'Sign up and log in: both answer an access token.' },
  { name: 'Profile', description: 'The signed-in user; send `Authorization: Bearer <access_token>`.' },
  { name: 'Password reset', description: 'A 6-digit code by email, then a new password; older tokens stop working.' },
  { name: 'Google sign-in', description: 'Redirect to Google, come back to the frontend with a one-time code, trade it for a token.' },
  { name: 'Documentation', description: 'This document, which /docs (Swagger UI) and /redoc (ReDoc) display.' },
];

/**
 * The OpenAPI 3.1 document of `routes`, generated from their zod schemas. The server URL is
 * relative, so the document is right on any host: a preview, production or the dev server.
 *
 * @example const doc = buildOpenApiDocument(); doc.paths['/api/login'].post.operationId // 'login'
 */
export function buildOpenApiDocument(routes: RouteConfig[] = DOCUMENTED): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `access_token` from /api/register, /api/login or /api/google/exchange.',
  });
  registry.registerComponent('securitySchemes', PASSWORD_FLOW, {
    type: 'oauth2',
    description: 'The OAuth2 password flow against /api/login; Swagger UI\'s "Authorize" button uses it.',
    flows: { password: { tokenUrl: '/api/login', scopes: {} } },
  });
  for (const route of routes) registry.registerPath(route);
  const used = new Set(routes.flatMap((route) => route.tags ?? []));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Auth service',
      version: pkg.version,
      description:
        'Sign-up, login with JWT access tokens, Google sign-in, password reset by emailed code and profiles. Errors are RFC 9457 `application/problem+json`.',
    },
    servers: [{ url: '/', description: 'The host serving this document' }],
    tags: TAGS.filter((tag) => used.has(tag.name)),
  });
}

/** Where `npm run docs:generate` writes the document that GET /api/docs serves. */
export const OPENAPI_FILE = fileURLToPath(new URL('./openapi.json', import.meta.url));

/** The document as `lib/openapi/openapi.json` holds it: two-space JSON and a final newline. */
export function serializeOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
