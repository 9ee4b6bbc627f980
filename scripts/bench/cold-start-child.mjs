// One cold start: a fresh `node` process imports a bundled function and answers its first request.
// argv: <bundle.mjs> <json: {method, url, headers, body}> [--modules]
// Prints JSON {ms, importMs, status, redirectError, modules}. Timing runs go without the hooks, which cost time themselves.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const [bundle, spec, flag] = process.argv.slice(2);
const { method, url, headers, body } = JSON.parse(spec);
const loaded = new Set();
/** The work handed to Vercel's `waitUntil` (the probe run plays Vercel's request context, which `@vercel/functions` reads). */
const handedOver = [];
if (flag === '--modules') {
  globalThis[Symbol.for('@vercel/request-context')] = { get: () => ({ waitUntil: (promise) => void handedOver.push(promise) }) };
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (u) => loaded.add(u));
  port1.unref();
  register(pathToFileURL(new URL('./load-hooks.mjs', import.meta.url).pathname), { data: { port: port2 }, transferList: [port2] });
}
const started = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - started;
const response = await mod[method](new Request(url, { method, headers, body }));
await response.text();
const ms = performance.now() - started;
// The work after the answer (mail, a limit refund) may load more: wait for all of it, as Vercel
// does, including work it hands over in turn; then a moment for the hooks' last messages.
if (flag === '--modules') {
  for (let settled = -1; settled !== handedOver.length; ) {
    settled = handedOver.length;
    await Promise.allSettled(handedOver);
  }
  await new Promise((r) => setTimeout(r, 50));
}
// A redirect's own error (the Google callback answers 302 either way): `?error=` on its Location.
const location = response.headers.get('location');
const redirectError = location ? new URL(location, url).searchParams.get('error') : null;
process.stdout.write(JSON.stringify({ ms, importMs, status: response.status, redirectError, modules: [...loaded] }));
process.exit(0);
