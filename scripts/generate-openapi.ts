// `npm run docs:generate`: writes lib/openapi/openapi.json, the OpenAPI document generated from the
// zod schemas, which GET /api/docs serves as it is (generating it at a cold start took ~15 ms and
// loaded zod-to-openapi). The OpenAPI test fails while the file is not what the schemas generate.
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, serializeOpenApiDocument } from '../lib/openapi/document.js';

writeFileSync(OPENAPI_FILE, serializeOpenApiDocument());
console.log(`wrote ${OPENAPI_FILE}`);
