/**
 * Runs inside a pod's (or the outside host's) network namespace, started by ebpf-net.ts through
 * `ip netns exec`. Plain JavaScript so it needs no build.
 *
 *   node ebpf-agent.mjs serve NAME TCP_PORTS UDP_PORTS   (comma-separated; prints "ready")
 *       TCP: sends "NAME:PORT\n" to every connection; UDP: answers every datagram with "NAME:PORT".
 *   node ebpf-agent.mjs probe TIMEOUT_MS < probes.json > results.json
 *       probes: [{ "dst", "port", "protocol": "TCP"|"UDP", "src"? }]; results in the same order:
 *       { "outcome": "open" | "refused" | "timeout" | "error", "reply"?: string, "detail"?: string }.
 *       `open` and `refused` both mean the packet reached the destination's stack.
 */
import dgram from "node:dgram";
import net from "node:net";

const [mode, ...args] = process.argv.slice(2);

function serve(name, tcp, udp) {
  const ports = (s) => (s ? s.split(",").map(Number) : []);
  const pending = [];
  for (const port of ports(tcp))
    pending.push(
      new Promise((resolve, reject) => {
        const server = net.createServer((sock) => {
          sock.on("error", () => {});
          sock.end(`${name}:${port}\n`);
        });
        server.on("error", reject);
        server.listen({ port, host: "::" }, resolve);
      }),
    );
  for (const port of ports(udp))
    pending.push(
      new Promise((resolve, reject) => {
        const sock = dgram.createSocket({ type: "udp6" });
        sock.on("message", (_msg, rinfo) => sock.send(`${name}:${port}`, rinfo.port, rinfo.address));
        sock.on("error", reject);
        sock.bind({ port, address: "::" }, resolve);
      }),
    );
  Promise.all(pending).then(
    () => process.stdout.write("ready\n"),
    (e) => {
      process.stderr.write(`serve: ${e.message}\n`);
      process.exit(1);
    },
  );
}

function probeTcp(p, timeout) {
  return new Promise((resolve) => {
    let reply = "";
    let connected = false;
    const sock = net.connect({ host: p.dst, port: p.port, ...(p.src ? { localAddress: p.src } : {}) });
    const done = (r) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done(connected ? { outcome: "open", reply } : { outcome: "timeout" }),
      timeout,
    );
    sock.on("connect", () => {
      connected = true;
    });
    sock.on("data", (b) => {
      reply += b.toString();
      if (reply.endsWith("\n")) done({ outcome: "open", reply: reply.trim() });
    });
    sock.on("end", () => done({ outcome: "open", reply: reply.trim() }));
    sock.on("error", (e) =>
      done(
        e.code === "ECONNREFUSED"
          ? { outcome: "refused" }
          : { outcome: "error", detail: e.code ?? e.message },
      ),
    );
  });
}

function probeUdp(p, timeout) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: net.isIPv6(p.dst) ? "udp6" : "udp4" });
    const done = (r) => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ outcome: "timeout" }), timeout);
    sock.on("message", (m) => done({ outcome: "open", reply: m.toString() }));
    sock.on("error", (e) =>
      done(
        e.code === "ECONNREFUSED"
          ? { outcome: "refused" }
          : { outcome: "error", detail: e.code ?? e.message },
      ),
    );
    const send = () =>
      sock.connect(p.port, p.dst, (err) => {
        if (err) return done({ outcome: "error", detail: err.code ?? err.message });
        sock.send("probe");
      });
    if (p.src) sock.bind({ address: p.src, port: 0 }, send);
    else send();
  });
}

async function probe(timeout) {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const probes = JSON.parse(Buffer.concat(chunks).toString());
  const results = await Promise.all(
    probes.map((p) => (p.protocol === "UDP" ? probeUdp(p, timeout) : probeTcp(p, timeout))),
  );
  process.stdout.write(JSON.stringify(results));
}

if (mode === "serve") serve(args[0], args[1], args[2]);
else if (mode === "probe") await probe(Number(args[0]));
else {
  process.stderr.write("usage: ebpf-agent.mjs serve NAME TCP UDP | probe TIMEOUT_MS\n");
  process.exit(2);
}
