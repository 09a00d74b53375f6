// The load client of bench/webhook-load.ts, in a worker thread of its own: the API server is another
// process, so the client's TLS and JSON work must not run on the webhook's event loop (it would be
// counted in the server's latency). Plain JavaScript, so that it runs unbuilt (vitest) and built.
// Input (workerData): { requests: [{ uid, body }], port, ca (PEM), concurrency }.
// Output (one message): [{ uid, ms, status, text, error }] in request order.
import { Agent, request } from "node:https";
import { parentPort, workerData } from "node:worker_threads";

const { requests, port, ca, concurrency } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca });

function post(r) {
  const t0 = performance.now();
  const done = (status, text, error) => ({ uid: r.uid, ms: performance.now() - t0, status, text, error });
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/validate?timeout=10s",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(r.body) },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve(done(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
        res.on("error", (e) => resolve(done(res.statusCode ?? 0, "", e.message)));
      },
    );
    req.on("error", (e) => resolve(done(0, "", e.message)));
    req.end(r.body);
  });
}

const results = new Array(requests.length);
let next = 0;
async function loop() {
  while (next < requests.length) {
    const i = next++;
    results[i] = await post(requests[i]);
  }
}
await Promise.all(Array.from({ length: concurrency }, loop));
agent.destroy();
parentPort.postMessage(results);
