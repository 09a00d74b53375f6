/**
 * The webhook's HTTPS server for real: startServer on 127.0.0.1 with a serving certificate signed by
 * a test CA (openssl, bench/tls.ts), spoken to by clients that trust only that CA, as the API server
 * does. The demo shop (fixtures/demo) in snapshot mode, enforce; a second server in warn mode.
 *
 * Covered: the answers (allowed, denied with a counterexample, warned, dryRun without effect), every
 * class of bad input (400 for a body that is not a v1 AdmissionReview, 422 in the review for an
 * invalid object, 413 for bodies over the limit with and without content-length, 408 or a closed
 * connection for a client slower than the request timeout, 405, 404, 415, bytes that are not TLS
 * or not HTTP) with the server answering the next request each time, health, readiness and
 * metrics, certificate reload (by the file watcher and by reloadTls; a broken certificate keeps
 * the old one), and graceful shutdown.
 */
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueServerCert, makeServingPair, type TestCa } from "../../bench/tls.js";
import { modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { type GuaranteeFile, type K8sObject, loadPaths } from "../../src/parser/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import {
  ClusterState,
  jsonLogger,
  Metrics,
  type Mode,
  type RunningServer,
  startServer,
  Webhook,
} from "../../src/webhook/index.js";

const MAX_BODY = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 1500;
/** The demo guarantees that fail on the demo itself (their failure is warned about on every change). */
const FAILING = new Set(["app-namespaces-default-deny", "dns-only-coredns"]);

const openPayments = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "open-payments", namespace: "payments" },
  spec: {
    podSelector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: {} }] }],
  },
};

/** Breaks the same guarantee only for pods of a namespace that does not exist yet: z3 must find it. */
const openToPartners = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "open-payments-to-partners", namespace: "payments" },
  spec: {
    podSelector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "partners" } } }] }],
  },
};

const harmless = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "deny-all-monitoring", namespace: "monitoring" },
  spec: { podSelector: {}, policyTypes: ["Ingress"] },
};

function review(uid: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const o = object as { kind: string; metadata: { name: string; namespace?: string } };
  const group = o.kind === "NetworkPolicy" ? "networking.k8s.io" : "";
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group, version: "v1", kind: o.kind },
      resource: { group, version: "v1", resource: `${o.kind.toLowerCase()}s` },
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      operation: "CREATE",
      object,
      ...extra,
    },
  });
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

interface Review {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    warnings?: string[];
  };
}

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

interface Call {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Buffer;
}

/** One request on a new connection (no keep-alive), trusting only the test CA. */
function call(port: number, ca: TestCa, o: Call): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        ca: ca.cert,
        agent: false,
        method: o.method ?? "POST",
        path: o.path ?? "/validate",
        headers: o.headers ?? { "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

/** The serial of the certificate a new TLS connection is served (upper-case hex, no leading zeros). */
async function servedSerial(port: number, ca: TestCa): Promise<string> {
  const socket = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert });
  await once(socket, "secureConnect");
  const serial = socket.getPeerCertificate().serialNumber;
  socket.destroy();
  return serial.toUpperCase().replace(/^0+/, "");
}

/** Waits for `socket` to close; resolves with what it received and when, relative to `t0`. */
function closed(socket: Socket, t0: number): Promise<{ afterMs: number; received: string }> {
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => {});
  return new Promise((resolve) =>
    socket.on("close", () =>
      resolve({ afterMs: performance.now() - t0, received: Buffer.concat(chunks).toString("latin1") }),
    ),
  );
}

interface Served {
  readonly webhook: Webhook;
  readonly metrics: Metrics;
  readonly server: RunningServer;
  readonly logs: string[];
}

describe("webhook HTTPS server", () => {
  let dir: string;
  let ca: TestCa;
  let certFile: string;
  let keyFile: string;
  let main: Served;
  let warn: Served;
  let mainClosed = false;
  let port: number;

  async function serve(mode: Mode, files: readonly GuaranteeFile[], objects: readonly K8sObject[]) {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const log = jsonLogger(sink, "debug");
    const metrics = new Metrics();
    const webhook = new Webhook(
      files,
      { model: modelOptions({}), mode, failurePolicy: "Fail", deadlineMs: 20_000, source: "snapshot" },
      new ClusterState(objects),
      log,
      metrics,
    );
    await webhook.start();
    const server = await startServer(webhook, metrics, log, {
      port: 0,
      address: "127.0.0.1",
      tlsCert: certFile,
      tlsKey: keyFile,
      maxBodyBytes: MAX_BODY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    return { webhook, metrics, server, logs };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netpolc-server-"));
    ({ ca, certFile, keyFile } = makeServingPair(dir, "1001"));
    const path = "fixtures/demo/guarantees.ng";
    const all = parseGuarantees(readFileSync(path, "utf8"), path).file;
    const holding = { ...all, guarantees: all.guarantees.filter((g) => !FAILING.has(g.name)) };
    const { objects } = await loadPaths(["fixtures/demo"]);
    main = await serve("enforce", [holding], objects);
    warn = await serve("warn", [all], objects);
    port = main.server.port;
  }, 120_000);

  afterAll(async () => {
    if (!mainClosed) await main?.server.close(1_000);
    await warn?.server.close(1_000);
    rmSync(dir, { recursive: true, force: true });
    await shutdownZ3();
  });

  const post = (body: string | Buffer, headers: Record<string, string | number> = {}) =>
    call(port, ca, { body, headers: { "content-type": "application/json", ...headers } });

  /** The server still answers: health, and a review. */
  async function stillServing(): Promise<void> {
    expect((await call(port, ca, { method: "GET", path: "/healthz" })).status).toBe(200);
    const r = await post(review(`alive-${Math.random()}`, harmless, { dryRun: true }));
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as Review).response.allowed).toBe(true);
  }

  describe("answers", () => {
    it("allows a harmless policy: 200, JSON, the uid echoed, no status and no warning", async () => {
      const r = await post(review("u-allow", harmless, { dryRun: true }));
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe("application/json");
      const b = JSON.parse(r.text) as Review & { apiVersion: string; kind: string };
      expect(b.apiVersion).toBe("admission.k8s.io/v1");
      expect(b.kind).toBe("AdmissionReview");
      expect(b.response).toEqual({ uid: "u-allow", allowed: true });
    });

    it("denies a policy that opens payments-api: 403 naming the guarantee, with a counterexample", async () => {
      const r = await post(review("u-deny", openPayments, { dryRun: true }));
      expect(r.status).toBe(200);
      const b = JSON.parse(r.text) as Review;
      expect(b.response.uid).toBe("u-deny");
      expect(b.response.allowed).toBe(false);
      expect(b.response.status?.code).toBe(403);
      expect(b.response.status?.message).toContain("payments-api-only-from-backend");
      expect(b.response.status?.message).toContain("counterexample");
    });

    it("warn mode allows it with the broken guarantee as a warning, and warns of guarantees that already fail", async () => {
      const r = await call(warn.server.port, ca, {
        body: review("u-warn", openPayments, { dryRun: true }),
        headers: { "content-type": "application/json" },
      });
      const b = JSON.parse(r.text) as Review;
      expect(b.response).toMatchObject({ uid: "u-warn", allowed: true });
      const warnings = b.response.warnings?.join("\n") ?? "";
      expect(warnings).toContain(
        "netpolc (warn mode): this change breaks guarantee payments-api-only-from-backend",
      );
      expect(warnings).toContain("guarantee dns-only-coredns already fails (not caused by this change)");
    });

    it("dryRun leaves the state's version alone; the same change without dryRun moves it", async () => {
      const v0 = main.webhook.evaluator.current!.version;
      const dry = await post(review("u-dry", harmless, { dryRun: true }));
      expect((JSON.parse(dry.text) as Review).response.allowed).toBe(true);
      await main.webhook.settled();
      expect(main.webhook.evaluator.current!.version).toBe(v0);
      const real = await post(review("u-real", harmless));
      expect((JSON.parse(real.text) as Review).response.allowed).toBe(true);
      await main.webhook.settled();
      expect(main.webhook.evaluator.current!.version).toBeGreaterThan(v0);
      expect(
        main.webhook.evaluator.current!.objects.has("NetworkPolicy/monitoring/deny-all-monitoring"),
      ).toBe(true);
    });
  });

  describe("bad input", () => {
    const valid = JSON.parse(review("u-bad", harmless)) as Record<string, unknown> & {
      request: Record<string, unknown>;
    };
    const { uid: _uid, ...noUid } = valid.request;
    it.each([
      ["malformed JSON", '{"apiVersion": "admission.k8s.io/v1", "kind": ', /^the body is not JSON: /],
      [
        "wrong apiVersion",
        JSON.stringify({ ...valid, apiVersion: "admission.k8s.io/v1beta1" }),
        /apiVersion must be "admission\.k8s\.io\/v1"/,
      ],
      ["wrong kind", JSON.stringify({ ...valid, kind: "ConfigMap" }), /kind must be "AdmissionReview"/],
      ["missing uid", JSON.stringify({ ...valid, request: noUid }), /request has no uid/],
      ["empty uid", JSON.stringify({ ...valid, request: { ...valid.request, uid: "" } }), /request\.uid /],
      ["no request", JSON.stringify({ apiVersion: valid.apiVersion, kind: valid.kind }), /has no request/],
      ["JSON that is not an object", "[1, 2]", /not an admission\.k8s\.io\/v1 AdmissionReview request/],
    ])("%s: 400 with a Status naming the problem", async (_name, body, message) => {
      const r = await post(body);
      expect(r.status).toBe(400);
      expect(r.headers["content-type"]).toBe("application/json");
      const s = JSON.parse(r.text) as Status;
      expect(s).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest" });
      expect(s.message).toMatch(message);
    });

    it.each([
      [
        "spec.podSelector is a string",
        {
          ...harmless,
          metadata: { name: "bad-selector", namespace: "monitoring" },
          spec: { podSelector: "app=web" },
        },
        /podSelector/,
      ],
      [
        "an ipBlock cidr with prefix /33",
        {
          ...harmless,
          metadata: { name: "bad-cidr", namespace: "monitoring" },
          spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }],
          },
        },
        /10\.0\.0\.0\/33/,
      ],
    ])(
      "an invalid object (%s): 200, AdmissionReview denied with 422 naming the problem",
      async (_name, object, message) => {
        const r = await post(review("u-invalid", object));
        expect(r.status).toBe(200);
        const b = JSON.parse(r.text) as Review;
        expect(b.response).toMatchObject({
          uid: "u-invalid",
          allowed: false,
          status: { code: 422, reason: "Invalid" },
        });
        expect(b.response.status?.message).toMatch(/^netpolc: the object is invalid:\nNP\d{4} /);
        expect(b.response.status?.message).toMatch(message);
      },
    );

    it("a kind netpolc does not judge (ConfigMap) is allowed", async () => {
      const configMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "backend" },
        data: {},
      };
      const r = await post(review("u-cm", configMap));
      expect(r.status).toBe(200);
      expect((JSON.parse(r.text) as Review).response).toEqual({ uid: "u-cm", allowed: true });
    });

    it("a body over the limit with content-length: 413, and the server answers the next request", async () => {
      const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
      const r = await post(big, { "content-length": big.length });
      expect(r.status).toBe(413);
      expect(JSON.parse(r.text) as Status).toMatchObject({ kind: "Status", code: 413 });
      await stillServing();
    });

    it("a chunked body (no content-length) over the limit: 413, and the server answers the next request", async () => {
      const t0 = performance.now();
      const answer = await new Promise<HttpAnswer>((resolve, reject) => {
        const req = request(
          {
            ...{ host: "127.0.0.1", port, ca: ca.cert, agent: false, method: "POST", path: "/validate" },
            headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                text: Buffer.concat(chunks).toString(),
              }),
            );
          },
        );
        req.on("error", reject);
        // 5 MB in 64 KiB chunks, as a streaming client sends it.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 5 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", more);
          }
          req.end();
        };
        more();
      });
      expect(answer.status).toBe(413);
      expect(performance.now() - t0).toBeLessThan(30_000);
      await stillServing();
    });

    it("a client slower than the request timeout is cut off (408 or closed), and the server keeps serving", async () => {
      const socket = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert });
      await once(socket, "secureConnect");
      const t0 = performance.now();
      const done = closed(socket, t0);
      socket.write(
        "POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{",
      );
      // One byte every 200 ms: 4 KiB would take ~14 minutes.
      const dribble = setInterval(() => {
        if (!socket.destroyed) socket.write(" ");
      }, 200);
      const limit = REQUEST_TIMEOUT_MS + 5_000;
      const result = await Promise.race([
        done,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), limit)),
      ]);
      clearInterval(dribble);
      socket.destroy();
      expect(result, `the connection was still open ${limit} ms after the headers`).toBeDefined();
      if (result && result.received !== "") expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
      await stillServing();
    }, 30_000);

    it.each<{ name: string; o: Call; code: number; reason: string }>([
      {
        name: "GET /validate",
        o: { method: "GET", path: "/validate" },
        code: 405,
        reason: "MethodNotAllowed",
      },
      {
        name: "PUT /validate",
        o: { method: "PUT", path: "/validate", body: "{}" },
        code: 405,
        reason: "MethodNotAllowed",
      },
      {
        name: "an unknown path",
        o: { method: "POST", path: "/mutate", body: "{}" },
        code: 404,
        reason: "NotFound",
      },
      {
        name: "a text/plain body",
        o: { method: "POST", path: "/validate", body: "{}", headers: { "content-type": "text/plain" } },
        code: 415,
        reason: "UnsupportedMediaType",
      },
      {
        name: "no content-type",
        o: { method: "POST", path: "/validate", body: "{}", headers: {} },
        code: 415,
        reason: "UnsupportedMediaType",
      },
    ])("$name: $code with a Status", async ({ o, code, reason }) => {
      const r = await call(port, ca, o);
      expect(r.status).toBe(code);
      expect(JSON.parse(r.text) as Status).toMatchObject({ kind: "Status", code, reason });
      if (code === 405) expect(r.headers.allow).toBe("POST");
    });

    it("bytes that are not TLS, and TLS that is not HTTP, do not stop the server", async () => {
      const plain = netConnect({ host: "127.0.0.1", port });
      await once(plain, "connect");
      const plainDone = closed(plain, performance.now());
      plain.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      plain.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef]));
      await plainDone;
      const garbage = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert });
      await once(garbage, "secureConnect");
      const garbageDone = closed(garbage, performance.now());
      garbage.write("\u0000\u0001\u0002 not http at all \r\n\r\n");
      const { received } = await garbageDone;
      if (received !== "") expect(received).toMatch(/^HTTP\/1\.1 400 /);
      await stillServing();
    });
  });

  describe("operations", () => {
    it("/healthz and /readyz answer 200; /metrics counts requests by verdict and times them", async () => {
      expect(await call(port, ca, { method: "GET", path: "/healthz" })).toMatchObject({
        status: 200,
        text: "ok\n",
      });
      expect(await call(port, ca, { method: "GET", path: "/readyz" })).toMatchObject({
        status: 200,
        text: "ready\n",
      });
      const m = await call(port, ca, { method: "GET", path: "/metrics" });
      expect(m.status).toBe(200);
      expect(m.headers["content-type"]).toMatch(/^text\/plain/);
      for (const verdict of ["denied", "allowed", "bad_request", "invalid", "skipped"])
        expect(m.text).toMatch(
          new RegExp(`^netpolc_admission_requests_total\\{[^}]*verdict="${verdict}"[^}]*\\} [1-9]`, "m"),
        );
      expect(m.text).toMatch(
        /^netpolc_admission_duration_seconds_bucket\{le="0\.005",verdict="allowed"\} \d+/m,
      );
      expect(m.text).toMatch(/^netpolc_ready 1$/m);
    });

    it("reloads the certificate: the watcher picks up a new file, reloadTls() at once; a broken one keeps the old", async () => {
      expect(await servedSerial(port, ca)).toBe("1001");
      // 1. A new certificate (same CA, same key, another serial) written over the file: the watcher.
      writeFileSync(certFile, issueServerCert(ca, keyFile, "2002"));
      const until = performance.now() + 15_000;
      let serial = await servedSerial(port, ca);
      while (serial !== "2002" && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        serial = await servedSerial(port, ca);
      }
      expect(serial).toBe("2002");
      // 2. Another one, reloaded explicitly: the next connection has it.
      writeFileSync(certFile, issueServerCert(ca, keyFile, "3003"));
      expect(await main.server.reloadTls()).toBe(true);
      expect(await servedSerial(port, ca)).toBe("3003");
      // 3. A broken file: not loaded, the previous certificate stays, the error is counted.
      const errors = async () => {
        const text = await main.metrics.registry.getSingleMetricAsString("netpolc_tls_reloads_total");
        return Number(/netpolc_tls_reloads_total\{result="error"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      const before = await errors();
      writeFileSync(certFile, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
      expect(await main.server.reloadTls()).toBe(false);
      expect(await errors()).toBeGreaterThan(before);
      expect(await servedSerial(port, ca)).toBe("3003");
      await stillServing();
      // Put a good certificate back for what follows (the watcher may reload it too).
      writeFileSync(certFile, issueServerCert(ca, keyFile, "3003"));
      expect(await main.server.reloadTls()).toBe(true);
    }, 60_000);

    it("shuts down gracefully: readiness drops, requests in flight are answered, new connections are refused", async () => {
      // 1. Requests whose evaluation takes a while (each needs z3 — only a pod of a namespace that
      // does not exist yet breaks the guarantee — and z3 runs one check at a time).
      let arrived = 0;
      main.server.server.on("request", () => arrived++);
      const inFlight = Array.from({ length: 6 }, (_, i) =>
        post(review(`u-drain-${i}`, openToPartners, { dryRun: true })),
      );
      const until = performance.now() + 10_000;
      while ((arrived < 6 || main.webhook.busy === 0) && performance.now() < until)
        await new Promise((r) => setImmediate(r));
      expect(main.webhook.busy).toBeGreaterThan(0);
      // 2. Draining (close() starts with it): readiness says 503 while the server still listens.
      main.webhook.drain();
      expect(main.webhook.ready).toBe(false);
      expect(await call(port, ca, { method: "GET", path: "/readyz" })).toMatchObject({ status: 503 });
      // 3. close(): the listener goes at once, requests in flight finish.
      const closing = main.server.close(20_000);
      mainClosed = true;
      await expect(call(port, ca, { method: "GET", path: "/healthz" })).rejects.toMatchObject({
        code: "ECONNREFUSED",
      });
      const answers = await Promise.all(inFlight);
      await closing;
      for (const [i, a] of answers.entries()) {
        expect(a.status).toBe(200);
        expect((JSON.parse(a.text) as Review).response).toMatchObject({
          uid: `u-drain-${i}`,
          allowed: false,
        });
      }
      expect(main.webhook.ready).toBe(false);
      expect(main.webhook.busy).toBe(0);
    }, 60_000);
  });
});
