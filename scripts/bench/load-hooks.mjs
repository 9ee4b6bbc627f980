// Module-loading hooks for the cold-start child: report every module asked for, as `specifier:<what
// the import named>` before it is resolved (so an import that fails, of a package left out of the
// deployment, is seen too), then its URL once resolved.
let port;
export function initialize(data) {
  port = data.port;
}
export async function resolve(specifier, context, nextResolve) {
  port.postMessage(`specifier:${specifier}`);
  const result = await nextResolve(specifier, context);
  port.postMessage(result.url);
  return result;
}
