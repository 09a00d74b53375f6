/**
 * Guarantees about things the input does not have: unknown namespaces, workloads, Services and
 * label keys are warnings (NP4020-NP4022) at the name's line:column with a "did you mean" hint when
 * a close name exists; sets that can match nothing are NP4023 warnings and the guarantee holds
 * vacuously; syntax errors make `netpolc verify` exit 2 with file:line:column on stderr while the
 * file's valid guarantees are still verified and printed. Expected positions are counted by hand
 * from the texts below.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/common/index.js";
import { buildCluster, type Cluster, modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { shutdownZ3, type VerifyReport, verifyGuarantees } from "../../src/solver/index.js";
import { ROOT, run } from "../cli/run.js";

afterAll(shutdownZ3);

let demo: Cluster;
beforeAll(async () => {
  const parsed = await loadPaths([join(ROOT, "fixtures/demo")]);
  demo = buildCluster(parsed.objects).cluster;
});

async function verify(text: string): Promise<VerifyReport> {
  const parsed = parseGuarantees(text, "g.ng");
  expect(parsed.diagnostics).toEqual([]);
  return verifyGuarantees(demo, modelOptions(), [parsed.file]);
}

/** `CODE line:column message [| hint]`, for the guarantee codes NP4020-NP4025. */
function brief(ds: readonly Diagnostic[]): string[] {
  return ds
    .filter((d) => /^NP402/.test(d.code))
    .map(
      (d) =>
        `${d.code} ${d.severity} ${d.source?.line}:${d.source?.column} ${d.message}${d.hint ? ` | ${d.hint}` : ""}`,
    );
}

function verdicts(r: VerifyReport): Record<string, string> {
  return Object.fromEntries(r.results.map((x) => [x.guarantee.name, x.verdict]));
}

describe("unknown names", () => {
  const text = [
    "guarantee ns-typo: deny from namespace fronted to anything",
    "guarantee wl-typo: deny from workload backend/apii to anything",
    "guarantee svc-typo: deny from namespace frontend to service kube-system/kube-dnss",
    "guarantee ref-typo: allow from backend/catalogue to backend/db",
    "guarantee key-typo: deny from pods(teir=backend) to anything",
    "guarantee nskey-typo: deny from namespace(tem=web) to namespace backend",
    "guarantee far: deny from namespace zzzzzzzz to anything",
    "",
  ].join("\n");

  it("are warnings with positions and suggestions; the guarantees are still verified", async () => {
    const r = await verify(text);
    expect(brief(r.diagnostics)).toEqual([
      // checkNames runs first, over the whole file.
      'NP4020 warning 1:30 no input object is in namespace "fronted" | did you mean "frontend"?',
      'NP4021 warning 2:30 the input has no workload backend/apii: the set is empty | did you mean "backend/api"?',
      'NP4021 warning 3:53 the input has no Service kube-system/kube-dnss: the set is empty | did you mean "kube-system/kube-dns"?',
      'NP4021 warning 4:32 the input has no workload or Service backend/catalogue: the set is empty | did you mean "backend/catalog"?',
      'NP4022 warning 5:36 no pod or policy uses the label key "teir" | did you mean "tier"?',
      'NP4022 warning 6:43 no namespace or policy uses the label key "tem" | did you mean "team"?',
      'NP4020 warning 7:26 no input object is in namespace "zzzzzzzz"',
      // Then, per guarantee, the sets that are empty (an unknown object is an empty set).
      "NP4023 warning 2:30 guarantee wl-typo: the source set can match nothing, so the guarantee holds vacuously",
      "NP4023 warning 3:53 guarantee svc-typo: the destination set can match nothing, so the guarantee holds vacuously",
      "NP4023 warning 4:32 guarantee ref-typo: the source set can match nothing, so the guarantee holds vacuously",
    ]);
    expect(verdicts(r)).toEqual({
      // A namespace named fronted may be created: its pods have no policy and reach e.g. coredns.
      "ns-typo": "fails",
      // Unknown objects are empty sets: vacuous.
      "wl-typo": "holds",
      "svc-typo": "holds",
      "ref-typo": "holds",
      // A new pod labelled teir=backend in a new namespace has no policy.
      "key-typo": "fails",
      // backend admits namespaces by name only (frontend, backend, monitoring): not a new tem=web one.
      "nskey-typo": "holds",
      far: "fails",
    });
  });

  it("a workload of another kind is unknown too", async () => {
    const r = await verify("guarantee kind: deny from statefulset backend/api to anything\n");
    expect(brief(r.diagnostics).map((d) => d.split(" ").slice(0, 3).join(" "))).toEqual([
      "NP4021 warning 1:27",
      "NP4023 warning 1:27",
    ]);
    expect(verdicts(r)).toEqual({ kind: "holds" });
  });
});

describe("sets that can match nothing", () => {
  const text = [
    "guarantee same-key: deny from pods(app.kubernetes.io/name=web, app.kubernetes.io/name=api) to anything",
    "guarantee nosuch: deny from existing pods(app.kubernetes.io/name=nosuch) to anything",
    "guarantee two-namespaces: deny from namespace frontend and namespace backend to anything",
    "guarantee empty-subject: isolated ingress for existing pods(k8s-app=kube-dns) in namespace frontend",
    "guarantee empty-destination: allow from workload frontend/web to existing pods(tier=nosuch)",
    "guarantee cidr-and-pods: deny from 10.0.0.0/8 and pods to anything",
    "guarantee not-vacuous: deny from pods(app.kubernetes.io/name=web) to anything",
    "",
  ].join("\n");

  it("are NP4023 warnings at the set, and the guarantee holds vacuously", async () => {
    const r = await verify(text);
    const vacuous = (line: number, column: number, name: string, role: string) =>
      `NP4023 warning ${line}:${column} guarantee ${name}: the ${role} set can match nothing, so the guarantee holds vacuously`;
    expect(brief(r.diagnostics)).toEqual([
      // A label has one value: a=x and a=y together are unsatisfiable, for new pods too.
      vacuous(1, 31, "same-key", "source"),
      // `existing` pods only, and none has that label value (the position is the `existing` keyword).
      vacuous(2, 29, "nosuch", "source"),
      // A pod is in one namespace (the `and` node is placed at its first operand).
      vacuous(3, 37, "two-namespaces", "source"),
      // No existing frontend pod is labelled k8s-app=kube-dns.
      vacuous(4, 47, "empty-subject", "subject"),
      // No existing pod has tier=nosuch.
      vacuous(5, 66, "empty-destination", "destination"),
      // Address sets hold addresses, never pods.
      vacuous(6, 36, "cidr-and-pods", "source"),
    ]);
    expect(verdicts(r)).toEqual({
      "same-key": "holds",
      nosuch: "holds",
      "two-namespaces": "holds",
      "empty-subject": "holds",
      "empty-destination": "holds",
      "cidr-and-pods": "holds",
      // Control: web-labelled pods exist and reach coredns (DNS).
      "not-vacuous": "fails",
    });
  });
});

describe("syntax errors through the CLI", () => {
  const work = mkdtempSync(join(tmpdir(), "netpolc-diag-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("exit 2 with file:line:column on stderr; the valid guarantees are still verified and printed", async () => {
    const file = join(work, "broken.ng");
    writeFileSync(
      file,
      [
        "guarantee first: isolated both for namespace backend",
        "guarantee broken: deny from to namespace backend",
        "guarantee third: allow from workload frontend/web to workload backend/api on tcp/8080",
        "guarantee badport: deny from pods to pods on tcp/70000",
        "guarantee last: deny from external to workload backend/api",
        "",
      ].join("\n"),
    );
    const r = await run(["verify", "fixtures/demo", "-g", file]);
    expect(r.code).toBe(2);
    const errors = r.stderr.split("\n").filter((l) => / error NP/.test(l));
    expect(errors.map((l) => l.replace(/: error (NP\d+):.*/, " $1"))).toEqual([
      // `from` is followed by `to`, which starts no set.
      `${file}:2:29 NP4001`,
      // 70000 is no port.
      `${file}:4:46 NP4004`,
    ]);
    expect(errors[1]).toContain("port 70000 is out of range 1-65535");
    expect(r.stdout).toBe("✓ first: holds\n✓ third: holds\n✓ last: holds\n");
  });

  it("a lexical error is placed at its character", async () => {
    const file = join(work, "lexical.ng");
    writeFileSync(
      file,
      'guarantee ok: isolated ingress for namespace backend\nguarantee bad: deny from pods(a="x) to pods\n',
    );
    const r = await run(["verify", "fixtures/demo", "-g", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2:33: error NP4007`);
    expect(r.stdout).toBe("✓ ok: holds\n");
  });
});
