import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** V8's collector on demand, so a heap measure counts what is kept, not garbage waiting to be collected. */
export function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
