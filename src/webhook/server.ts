/**
 * The HTTPS transport: POST /validate (AdmissionReview), GET /healthz, /readyz, /metrics.
 *
 * Hardening: bodies over the limit are refused (413) without being read to the end; slow clients
 * are cut off (headers and whole-request timeouts); only application/json bodies are read; every
 * handler error becomes an answer, never a crash. The certificate and key are re-read when their
 * files change (a Secret volume swaps a symbolic link): new connections get the new certificate,
 * a broken pair is logged and the old one kept. `close()` stops accepting, lets requests in flight
 * finish (up to a grace period) and then closes every connection.
 */
import { type FSWatcher, promises as fs, watch } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { dirname } from "node:path";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";
import type { Webhook } from "./webhook.js";

export interface ServerOptions {
  readonly port: number;
  readonly address?: string | undefined;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly maxBodyBytes: number;
  /** Whole-request budget for a client to send its request (slow clients). */
  readonly requestTimeoutMs?: number | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface RunningServer {
  readonly port: number;
  readonly server: Server;
  /** Re-reads the certificate files now (also done on change). */
  reloadTls(): Promise<boolean>;
  close(graceMs?: number): Promise<void>;
}

export async function startServer(
  webhook: Webhook,
  metrics: Metrics,
  log: Logger,
  o: ServerOptions,
): Promise<RunningServer> {
  const [cert, key] = await Promise.all([fs.readFile(o.tlsCert), fs.readFile(o.tlsKey)]);
  const server = createServer({
    cert,
    key,
    requestTimeout: o.requestTimeoutMs ?? 10_000,
    headersTimeout: Math.min(o.requestTimeoutMs ?? 10_000, 5_000),
    keepAliveTimeout: 30_000,
    // Node checks the request and header timeouts on this period (30 s by default): a slow client
    // would otherwise keep its connection up to 30 s past its budget.
    connectionsCheckingInterval: 1_000,
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", (e) => log.debug("TLS handshake failed", { error: e.message }));
  server.on("clientError", (e: NodeJS.ErrnoException, socket) => {
    log.debug("client error", { error: e.message, code: e.code });
    // A request not sent in time gets 408 (as Node's default handler answers), anything else 400.
    const line = e.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    if (socket.writable) socket.end(`HTTP/1.1 ${line}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    route(req, res, performance.now()).catch((e: unknown) => {
      log.error("handler failed", { error: String(e) });
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });

  const route = async (req: IncomingMessage, res: ServerResponse, arrivedAt: number) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return sendText(res, 200, "ok\n");
    if (path === "/readyz")
      return webhook.ready ? sendText(res, 200, "ready\n") : sendText(res, 503, "not ready\n");
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    if (path !== "/validate") return send(res, 404, status(404, "NotFound", `no route ${path}`));
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, status(405, "MethodNotAllowed", "use POST"));
    }
    const type = req.headers["content-type"] ?? "";
    if (!/^application\/json\b/i.test(type)) {
      req.resume();
      return send(res, 415, status(415, "UnsupportedMediaType", "the body must be application/json"));
    }
    let body: string | undefined;
    try {
      body = await readBody(req, o.maxBodyBytes);
    } catch (e) {
      // The client went away or was cut off (request timeout) mid-body: nobody to answer.
      log.debug("request body not read to the end", { error: (e as Error).message });
      res.destroy();
      return;
    }
    if (body === undefined) {
      metrics.requests.inc({ verdict: "bad_request", kind: "", operation: "" });
      res.setHeader("connection", "close");
      send(res, 413, status(413, "RequestEntityTooLarge", `the body is larger than ${o.maxBodyBytes} bytes`));
      req.destroy();
      return;
    }
    const reply = await webhook.handle(body, arrivedAt);
    send(res, reply.status, reply.body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const reloadTls = async (): Promise<boolean> => {
    try {
      const [c, k] = await Promise.all([fs.readFile(o.tlsCert), fs.readFile(o.tlsKey)]);
      server.setSecureContext({ cert: c, key: k });
      metrics.tlsReloads.inc({ result: "ok" });
      log.info("serving certificate reloaded", { cert: o.tlsCert });
      return true;
    } catch (e) {
      metrics.tlsReloads.inc({ result: "error" });
      log.error("serving certificate not reloaded; the previous one stays", { error: (e as Error).message });
      return false;
    }
  };
  // Watch the directories: a Secret volume replaces files by swapping a symbolic link.
  let pending: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [...new Set([dirname(o.tlsCert), dirname(o.tlsKey)])].map((d) =>
    watch(d, () => {
      clearTimeout(pending);
      pending = setTimeout(() => void reloadTls(), 200);
    }),
  );
  for (const w of watchers) w.on("error", (e) => log.warn("certificate watch failed", { error: e.message }));
  log.info("listening", { port, address: o.address ?? "::" });

  return {
    port,
    server,
    reloadTls,
    async close(graceMs = 10_000) {
      clearTimeout(pending);
      for (const w of watchers) w.close();
      webhook.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const until = performance.now() + graceMs;
      while (webhook.busy > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** The body as text, or undefined when it exceeds the limit (then nothing more is read). */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

function status(code: number, reason: string, message: string): unknown {
  return { apiVersion: "v1", kind: "Status", status: "Failure", code, reason, message };
}
