/**
 * `-o sarif`: SARIF 2.1.0 for code scanning (GitHub's upload-sarif, other SARIF viewers). One run;
 * one rule per code (every diagnostic code and check code, in `RULES` order, so rule indexes are
 * stable); one result per finding, located at the file:line of the responsible policy or object,
 * with a stable fingerprint (`partialFingerprints["netpolc/v1"]`) that ignores line numbers.
 */
import type { Log, ReportingDescriptor, Result, Location as SarifLocation } from "sarif";
import { RULES, ruleIndex } from "./rules.js";
import type { CheckReport, Finding, Location, Severity } from "./types.js";

export const SARIF_SCHEMA =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const LEVEL: Record<Severity, Result.level> = { error: "error", warning: "warning", info: "note" };

/** A file name as a URI reference: relative paths stay relative (to the repository root, as the
 * command was run there), absolute paths become file: URIs. */
export function fileUri(file: string): string | undefined {
  if (file.startsWith("<")) return undefined; // standard input
  const encoded = file.split(/[\\/]/).map(encodeURIComponent).join("/");
  return file.startsWith("/") ? `file://${encoded}` : encoded;
}

function location(l: Location): SarifLocation[] {
  const uri = fileUri(l.file);
  const logical = l.object ? { logicalLocations: [{ fullyQualifiedName: l.object, kind: "resource" }] } : {};
  if (!uri) return l.object ? [logical] : [];
  return [
    {
      physicalLocation: {
        artifactLocation: { uri },
        region: { startLine: l.line, startColumn: l.column },
      },
      ...logical,
    },
  ];
}

function result(f: Finding, r: CheckReport): Result {
  const change = f.origin === "change" ? r.changes?.find((c) => c.fingerprint === f.fingerprint) : undefined;
  return {
    ruleId: f.code,
    ruleIndex: ruleIndex(f.code),
    level: LEVEL[f.severity],
    message: { text: f.hint ? `${f.message}\nhint: ${f.hint}` : f.message },
    ...(f.location ? { locations: location(f.location) } : {}),
    partialFingerprints: { "netpolc/v1": f.fingerprint },
    properties: {
      category: f.category,
      origin: f.origin,
      failing: f.failing,
      ...(change
        ? {
            change: change.type,
            source: change.src.name,
            destination: change.dst.name,
            before: change.before,
            after: change.after,
            risks: change.risks,
          }
        : {}),
    },
  };
}

export function renderSarif(r: CheckReport): string {
  const rules: ReportingDescriptor[] = RULES.map((rule) => ({
    id: rule.id,
    shortDescription: { text: rule.description },
    defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
    properties: { category: rule.category },
  }));
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: r.tool.name,
            version: r.tool.version,
            semanticVersion: r.tool.version,
            rules,
          },
        },
        columnKind: "unicodeCodePoints",
        results: r.findings.map((f) => result(f, r)),
        properties: {
          verdict: r.summary.verdict,
          failOn: r.failOn,
          ...(r.inputs.base ? { base: r.inputs.base.name } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
