/**
 * Stable fingerprints: a hash of what identifies a finding — its code and subject (object, guarantee
 * name, peer pair, JSON path, message) — never its line number, so a finding keeps its fingerprint
 * when unrelated lines move (SARIF `partialFingerprints`, deduplication across runs).
 */
import { createHash } from "node:crypto";

export function fingerprint(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}
