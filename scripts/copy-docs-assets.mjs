// Copies the Swagger UI and ReDoc browser bundles from node_modules into public/, so /docs and
// /redoc load nothing from a CDN. Runs as `postinstall` (for the dev server, tests and CI) and as
// `npm run build` with --strict: Vercel lists a project's static files before its install step,
// so only copies made by the build command, which runs after it, are deployed. The copies are git-ignored: the versions are pinned by
// package-lock.json, and 3 MB of minified vendor code would only bloat every diff.
// Plain ESM JavaScript, not TypeScript: it must run before (or without) tsx being installed.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** [package file, destination under public/] */
const ASSETS = [
  ['swagger-ui-dist/swagger-ui-bundle.js', 'docs/assets/swagger-ui-bundle.js'],
  ['swagger-ui-dist/swagger-ui.css', 'docs/assets/swagger-ui.css'],
  ['swagger-ui-dist/LICENSE', 'docs/assets/LICENSE.swagger-ui.txt'],
  ['redoc/bundles/redoc.standalone.js', 'redoc/assets/redoc.standalone.js'],
  ['redoc/bundles/redoc.standalone.js.LICENSE.txt', 'redoc/assets/redoc.standalone.js.LICENSE.txt'],
];

const missing = ASSETS.filter(([source]) => !existsSync(join(root, 'node_modules', source)));
if (missing.length > 0) {
  // An incomplete install: say so, but do not fail the install for pages it does not need. The
  // build (--strict) fails instead: a deployment would serve pages without their scripts. Both
  // packages are dependencies, not devDependencies, so an install that leaves those out (npm does
  // when NODE_ENV=production is set, also on Vercel's install step) still builds.
  console.warn(`docs assets not copied, missing: ${missing.map(([source]) => source).join(', ')} (run npm install)`);
  process.exit(process.argv.includes('--strict') ? 1 : 0);
}
for (const [source, target] of ASSETS) {
  mkdirSync(dirname(join(root, 'public', target)), { recursive: true });
  copyFileSync(join(root, 'node_modules', source), join(root, 'public', target));
}

// ReDoc's side menu shows Redocly's logo from cdn.redoc.ly. The page's Content-Security-Policy
// blocks it, but the browser then logs a CSP error on every visit; pointed at an empty data: URL
// instead, the image fails quietly and ReDoc hides it (its onError). Only a warning if a newer
// ReDoc no longer has that URL (tests/docs-browser.test.ts then shows what it asks for).
const REDOC = join(root, 'public/redoc/assets/redoc.standalone.js');
const LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const redoc = readFileSync(REDOC, 'utf8');
if (redoc.includes(LOGO)) writeFileSync(REDOC, redoc.replaceAll(LOGO, 'data:,'));
else console.warn(`ReDoc's bundle no longer names ${LOGO}: check what its pages ask for`);
console.log(`docs assets copied into public/docs/assets and public/redoc/assets`);
