import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless Chromium that talks only to loopback servers and nothing of Google's. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether Debian's Chromium is installed (`apt-get install chromium`). When it is not, browser
 * tests are skipped with a printed reason, unless REQUIRE_SERVICES=1 (CI), which makes that a failure.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${reason}, and REQUIRE_SERVICES=1 makes that a failure`);
  console.warn(`skipped: ${reason} (set REQUIRE_SERVICES=1 to make this fail)`);
  return false;
}
