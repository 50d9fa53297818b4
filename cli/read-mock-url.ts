import { DEFAULT_HOST, DEFAULT_PORT } from "../protocol/demo.js";

/** Where `serve` listens unless told otherwise. */
export const DEFAULT_MOCK_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;

/** The mock the commands call by default: `$PANDAPON_MOCK_URL` (which `serve` prints at start), else the default port. */
export function readMockUrl(env: Readonly<Record<string, string | undefined>>): string {
  return env.PANDAPON_MOCK_URL || DEFAULT_MOCK_URL;
}
