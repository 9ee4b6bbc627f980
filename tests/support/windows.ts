/**
 * Waits, if need be, for the next rate-limit window to begin, so that a test's hits, which take up
 * to `needMs`, all land in one window. The sliding window weighs the previous window's count by
 * how much of it still overlaps and rounds down, so hits that straddle a boundary count one fewer
 * (a limit of 2 lets a third through): a test that expects an exact refusal must not straddle one.
 * Windows start at multiples of their length (both stores use `Math.floor(now / windowMs)`).
 *
 * @example await freshWindow(60_000); // then hit a 1-minute limit exactly N + 1 times
 */
export async function freshWindow(windowMs: number, needMs = Math.min(5_000, windowMs / 2)): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}
