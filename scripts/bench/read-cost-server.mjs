// The server side of scripts/measure-read-cost.ts: a stateless and a stateful mock (state file in
// the given directory), built from one dist/ directory, on 127.0.0.1 port 0 each, in this process,
// answering the parent's "cpu" message with this process's CPU time so far (µs: user + system, and system alone).
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, stateDir, seed = "1"] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const [{ createApp }, { openState }, { startServer }] = await Promise.all([load("mock/app.js"), load("mock/state/open-state.js"), load("mock/start-server.js")]);
const state = await openState({ location: { file: join(stateDir, "state.db") }, seed });
const stateless = await startServer(createApp({ seed }), 0, "127.0.0.1");
const stateful = await startServer(createApp({ seed, state }), 0, "127.0.0.1");
process.on("message", (message) => {
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: user + system, system, rss: process.memoryUsage.rss() });
  } else if (message === "stop") {
    void Promise.all([stateless.close(), stateful.close()]).then(() => state.close()).then(() => process.exit(0));
  }
});
process.send({ ready: { stateless: stateless.url, stateful: stateful.url } });
