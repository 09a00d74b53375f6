/**
 * The process the kernel harness runs in each network namespace (`ip netns exec NS node agent.mjs`).
 *
 *   node agent.mjs NAME ADDRS PORTS
 *     NAME   what servers answer (the pod's ns/name, or "external")
 *     ADDRS  comma-separated local addresses; each UDP server binds every one of them, so a reply
 *            leaves from the address the request was sent to (conntrack then sees a reply, not a
 *            new flow from another address)
 *     PORTS  comma-separated `tcp:80,udp:53,sctp:80` (SCTP through socat, when asked for)
 *
 * Prints `ready` once every server listens. Then reads probe requests, one JSON object a line:
 *   {"id":1,"proto":"tcp","host":"10.0.1.2","port":80,"src":"10.0.1.1","sport":20001,"timeout":1500}
 * and answers each with {"id":1,"ok":true,"reply":"x/b"} or {"id":1,"ok":false,"error":"timeout"}.
 * A probe succeeds only when the server's answer arrives (UDP included: an application reply).
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { createInterface } from "node:readline";

const [name, addrsArg, portsArg] = process.argv.slice(2);
const addrs = addrsArg ? addrsArg.split(",").filter(Boolean) : [];
const ports = portsArg
  ? portsArg
      .split(",")
      .filter(Boolean)
      .map((p) => {
        const [proto, port] = p.split(":");
        return { proto, port: Number(port) };
      })
  : [];
const children = [];

function listenTcp(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((sock) => {
      sock.on("error", () => {});
      sock.end(name);
    });
    server.on("error", reject);
    // A deep accept queue: a burst of probes from every pod at once must not overflow it.
    server.listen({ port, host: "::", ipv6Only: false, backlog: 4096 }, resolve);
  });
}

function listenUdp(port, addr) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: addr.includes(":") ? "udp6" : "udp4" });
    sock.on("error", reject);
    sock.on("message", (_msg, rinfo) => sock.send(name, rinfo.port, rinfo.address));
    sock.bind(port, addr, resolve);
  });
}

function listenSctp(port) {
  const child = spawn("socat", [`SCTP6-LISTEN:${port},fork,reuseaddr,ipv6only=0`, `SYSTEM:printf ${name}`], {
    stdio: "ignore",
  });
  children.push(child);
  return Promise.resolve();
}

function probeTcp(req) {
  return new Promise((resolve) => {
    let data = "";
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const opts = { host: req.host, port: req.port };
    if (req.src) opts.localAddress = req.src;
    if (req.sport) opts.localPort = req.sport;
    const sock = net.connect(opts);
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), req.timeout);
    sock.on("data", (b) => {
      data += b.toString();
    });
    sock.on("end", () => finish(data ? { ok: true, reply: data } : { ok: false, error: "empty" }));
    sock.on("error", (e) => finish({ ok: false, error: e.code ?? String(e) }));
  });
}

function probeUdp(req) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: req.host.includes(":") ? "udp6" : "udp4" });
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), req.timeout);
    sock.on("error", (e) => finish({ ok: false, error: e.code ?? String(e) }));
    sock.on("message", (msg) => finish({ ok: true, reply: msg.toString() }));
    sock.bind({ address: req.src, port: req.sport ?? 0 }, () => sock.send("probe", req.port, req.host));
  });
}

function probeSctp(req) {
  return new Promise((resolve) => {
    const host = req.host.includes(":") ? `[${req.host}]` : req.host;
    const bind = req.src
      ? `,bind=${req.src.includes(":") ? `[${req.src}]` : req.src}${req.sport ? `:${req.sport}` : ""}`
      : "";
    const child = spawn("socat", ["-T", String(req.timeout / 1000), "-", `SCTP:${host}:${req.port}${bind}`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let data = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), req.timeout + 500);
    child.stdout.on("data", (b) => {
      data += b.toString();
    });
    child.on("close", () => {
      clearTimeout(timer);
      resolve(data ? { ok: true, reply: data } : { ok: false, error: "no answer" });
    });
  });
}

async function main() {
  const listening = [];
  for (const { proto, port } of ports) {
    if (proto === "tcp") listening.push(listenTcp(port));
    else if (proto === "udp") for (const a of addrs) listening.push(listenUdp(port, a));
    else if (proto === "sctp") listening.push(listenSctp(port));
  }
  await Promise.all(listening);
  process.stdout.write("ready\n");
  const rl = createInterface({ input: process.stdin });
  rl.on("line", async (line) => {
    if (!line.trim()) return;
    const req = JSON.parse(line);
    const probe = req.proto === "tcp" ? probeTcp : req.proto === "udp" ? probeUdp : probeSctp;
    const r = await probe(req);
    process.stdout.write(`${JSON.stringify({ id: req.id, ...r })}\n`);
  });
  rl.on("close", () => {
    for (const c of children) c.kill();
    process.exit(0);
  });
}

main().catch((e) => {
  process.stderr.write(`agent ${name}: ${e.stack ?? e}\n`);
  process.exit(1);
});
