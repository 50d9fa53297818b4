import { spawn } from "node:child_process";
import { join } from "node:path";
import { DEMO_PANDAPON } from "../../protocol/demo.js";
import { PACKAGE_ROOT } from "../../schemas/package-root.js";
import type { SignatureScheme } from "../../signing/pandapon-scheme.js";
import { signPandapon } from "../../signing/pandapon-scheme.js";

// The file `npm start` and the `pandapon-mock` bin run (built by `npm run build`, which `npm test` runs first).
export const BUNDLE = join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js");

/** The last line of serve's start banner: the demo credentials' hint, or the configured keys' count. */
const BANNER_END = /Sign a request|secrets not shown/;

/** `serve --port 0` from the built CLI; `ready` resolves with its URL once the whole banner is printed. */
export function startBundledServe(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const child = spawn(process.execPath, [BUNDLE, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env, cwd: options.cwd });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 15_000);
    child.stdout.on("data", () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url && BANNER_END.test(output)) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
  return { child, ready, output: () => output };
}

/** POST /alibaba/refund/info for refund TQ77, signed for the demo key with `scheme`; the answer's JSON. */
export async function sendDemoRefundInfo(url: string, scheme: SignatureScheme): Promise<unknown> {
  const headers = { "access-key": DEMO_PANDAPON.accessKey, "nonce-str": "ab".repeat(16), timestamp: String(Date.now()), "user-id": DEMO_PANDAPON.userId };
  const { signature } = signPandapon(scheme, { headers }, DEMO_PANDAPON.secret);
  const res = await fetch(`${url}/alibaba/refund/info`, { method: "POST", headers: { ...headers, signature, "content-type": "application/json" }, body: '{"refundId":"TQ77"}' });
  return res.json();
}
