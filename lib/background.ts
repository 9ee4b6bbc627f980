import { AsyncLocalStorage } from 'node:async_hooks';

const pending = new Set<Promise<void>>();

/** Per request (set by `endpoint()`). */
interface RequestScope {
  /** Resolves once the handler's response is ready: the tasks start then. */
  answered: Promise<void>;
  /** The tasks' hand-over to Vercel's `waitUntil`, which must be done before the answer leaves. */
  registrations: Promise<void>[];
  /** When the invocation started (`performance.now()`): its deadlines count from here (lib/deadline.ts). */
  startedAt: number;
}
const scope = new AsyncLocalStorage<RequestScope>();

// `@vercel/functions` is loaded by the first request that runs work after its response, not by
// every function at start-up (most never need it; it is about 10 ms of a cold start).
// It is CommonJS, which importers expose differently: Node gives the named export and `default`
// (its `module.exports`), esbuild's code-split chunks only `default` (evanw/esbuild#3245), tsx (the
// dev server) only the named export. So both are tried.
type WaitUntil = (promise: Promise<unknown>) => void;
let loadingWaitUntil: Promise<WaitUntil> | undefined;
const loadWaitUntil = (): Promise<WaitUntil> => (loadingWaitUntil ??= import('@vercel/functions').then((m) => m.waitUntil ?? m.default.waitUntil));

/**
 * Runs work after the response, such as sending a mail, so that its duration (and whether it
 * happens at all) does not show in the response time. Inside `endpoint()` the task starts only once
 * the handler has returned its response (then on the next turn of the event loop), however much
 * the handler still awaits after scheduling it; outside a request it starts on the next turn.
 * On Vercel `waitUntil` keeps the function alive until it settles (`endpoint()` holds the answer
 * until the task is handed over); elsewhere `waitUntil` is a no-op (no request context), the
 * promise simply runs on, and `settleBackground` lets the dev server and tests wait for it.
 * Failures are logged.
 *
 * @example runAfterResponse('password reset mail', () => sendMail(message));
 */
export function runAfterResponse(label: string, task: () => Promise<unknown>): void {
  const request = scope.getStore();
  const start = request?.answered ?? new Promise<void>((started) => setImmediate(started));
  const run: Promise<void> = start
    .then(task)
    .then(
      () => undefined,
      (error: unknown) => console.error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    .finally(() => pending.delete(run));
  pending.add(run);
  const registered = loadWaitUntil()
    .then((waitUntil) => waitUntil(run))
    .catch((error: unknown) => console.error(`${label}: waitUntil failed: ${error instanceof Error ? error.message : String(error)}`));
  request?.registrations.push(registered);
}

/**
 * Runs `handler` so that the tasks it hands to `runAfterResponse` wait for its answer: they start
 * on the turn of the event loop after `handler` settled (answered or threw), and the answer is
 * returned only once they are handed to `waitUntil`. The invocation counts as started at
 * `startedAt`, for the deadlines of everything it runs, tasks included: by default now, or when
 * the enclosing `answerFirst` started (one invocation, however it is wrapped); `Infinity` for an
 * invocation with no maxDuration (the dev server), whose steps get their own deadlines only.
 */
export async function answerFirst<T>(handler: () => Promise<T>, startedAt = requestStartedAt() ?? performance.now()): Promise<T> {
  let release!: () => void;
  const request: RequestScope = { answered: new Promise<void>((open) => (release = open)), registrations: [], startedAt };
  try {
    return await scope.run(request, handler);
  } finally {
    await Promise.all(request.registrations);
    setImmediate(release);
  }
}

/**
 * When the request being handled (or whose after-response task is running) started, as
 * `performance.now()`; undefined outside `answerFirst` (scripts, the migration CLI).
 */
export const requestStartedAt = (): number | undefined => scope.getStore()?.startedAt;

/** Resolves once every task started by `runAfterResponse` (including ones they start) has settled. */
export async function settleBackground(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
