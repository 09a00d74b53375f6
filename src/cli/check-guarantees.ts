/**
 * Guarantee results of `netpolc check` as report entries: the verdict, and for a failure the
 * counterexample in words (hypothetical pods with their labels) with the engine's explanation.
 */
import { formatIp } from "../model/index.js";
import type { GuaranteeEntry } from "../report/index.js";
import { type DecodedEndpoint, formatEndpoint, type GuaranteeResult } from "../solver/index.js";
import { type DisplayFile, toLocation } from "./check-locate.js";
import { explanationText } from "./explain-text.js";

function endpointName(e: DecodedEndpoint): string {
  return e.kind === "address" ? formatIp(e.ip.family, e.ip.value) : `${e.namespace}/${e.name}`;
}

export function guaranteeEntry(r: GuaranteeResult, display: DisplayFile): GuaranteeEntry {
  const g = r.guarantee;
  const base = {
    name: g.name,
    statement: g.text,
    verdict: r.verdict,
    location: toLocation(g.source, display),
    ...(r.reason ? { reason: r.reason } : {}),
  };
  const x = r.counterexample;
  if (r.verdict !== "fails" || !x) return base;
  if (!x.dst || !x.conn)
    return {
      ...base,
      counterexample: {
        src: endpointName(x.src),
        text: [`${formatEndpoint(x.src)} is not isolated`],
      },
    };
  const connection = `${x.conn.protocol}/${x.conn.port}`;
  const [src, dst] = [endpointName(x.src), endpointName(x.dst)];
  const text = [
    `${formatEndpoint(x.src)} → ${formatEndpoint(x.dst)} on ${connection} is ${x.allowed ? "allowed" : "denied"}`,
    ...(x.explanation
      ? explanationText(x.explanation, src, dst, { protocol: x.conn.protocol, port: x.conn.port }).map((l) =>
          l.replace(/^ {2}/, ""),
        )
      : []),
  ];
  return {
    ...base,
    counterexample: {
      src,
      dst,
      connection,
      ...(x.allowed !== undefined ? { allowed: x.allowed } : {}),
      text,
    },
  };
}
