/** `-o json`: the whole report, as is (docs/report-schema.md, schemas/check-report.schema.json). */
import type { CheckReport } from "./types.js";

export function renderJson(r: CheckReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
