/**
 * Validation results as text: one line when verified, else every counterexample with the packet,
 * which side accepts it, the endpoints as the model sees them and the rules (or map entries) that
 * decided.
 */
import { formatIp } from "../../model/index.js";
import { describePacket } from "./policy-check.js";
import type { Finding, Validation } from "./validate.js";

export function formatValidation(v: Validation): string {
  const what = `the ${v.target} ruleset of node ${v.node === "" ? "(every pod local)" : v.node}`;
  const lines: string[] = [];
  switch (v.status) {
    case "verified":
      lines.push(`verified: ${what} accepts exactly what the model allows (${v.checks} checks)`);
      break;
    case "unsupported":
      lines.push(
        `not verified: ${what} holds a construct validation does not understand`,
        `  ${v.error?.message ?? ""}`,
      );
      break;
    case "unknown":
      lines.push(`not verified: ${what}: z3 gave no answer`, ...v.unknown.map((u) => `  ${u}`));
      break;
    case "mismatch":
      lines.push(
        `MISMATCH: ${what} differs from the model (${v.findings.length} counterexample(s), ${v.checks} checks)`,
      );
      for (const f of v.findings) lines.push(...finding(f).map((l) => `  ${l}`));
      lines.push(...v.unknown.map((u) => `  unknown: ${u}`));
      break;
  }
  lines.push(...v.notes.map((n) => `  note: ${n}`));
  return `${lines.join("\n")}\n`;
}

function finding(f: Finding): string[] {
  switch (f.kind) {
    case "policy":
      return [
        `packet ${describePacket(f.packet)} (IPv${f.packet.family}, first packet)`,
        `  the ruleset ${f.rulesetAccepts ? "accepts" : "refuses"} it; ${f.model}`,
        `  source:      ${f.src}`,
        `  destination: ${f.dst}`,
        ...f.ruleset.map((r) => `  ruleset: ${r}`),
      ];
    case "service":
      return [
        `packet ${describePacket(f.packet)}${f.packet.dstLocal ? " (to a local address)" : ""}`,
        `  frontend: ${f.frontend ? `${f.frontend.service} (${f.frontend.kind})` : "none"}`,
        `  expected: ${f.expected}`,
        `  got:      ${f.got}`,
        ...f.ruleset.map((r) => `  ruleset: ${r}`),
      ];
    case "hairpin":
      return [
        `hairpin: ${describePacket(f.packet)} (${f.frontend.service} translated to its own client) is refused by the filter (mark 0x${f.mark.toString(16)})`,
        ...f.ruleset.map((r) => `  ruleset: ${r}`),
      ];
    case "unreachable": {
      const ip = f.frontend.family === 6 ? `[${formatIp(6, f.target.ip)}]` : formatIp(4, f.target.ip);
      return [
        `endpoint ${ip}:${f.target.port} of ${f.frontend.service} (${f.frontend.kind}) is never chosen by the translation`,
      ];
    }
  }
}
