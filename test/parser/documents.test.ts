/**
 * Streams, documents and lists: multi-document YAML with a broken document, List/PodList unwrapping
 * with item positions, JSON input, empty documents, anchors and merge keys, BOM and CRLF.
 */
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/parser/index.js";
import { brief, names, pod, policy } from "./support/manifests.js";

describe("multi-document YAML", () => {
  it("a syntax error loses only its own document", () => {
    const text = `${pod("a")}---\napiVersion: v1\nkind: Pod\nmetadata: {name: [b\n---\n${pod("c")}`;
    const r = parseText(text, "multi.yaml");
    expect(names(r)).toEqual(["Pod/a", "Pod/c"]);
    expect(brief(r.diagnostics)).toEqual(["NP1002 error 15:20"]);
    expect(r.objects[1]?.source).toMatchObject({ line: 17, column: 1 });
  });

  it("recovers inside a large stream too (parsed in batches)", () => {
    const docs = Array.from({ length: 3000 }, (_, i) => pod(`p${i}`));
    docs[1500] = "apiVersion: v1\nkind: Pod\nmetadata: {name: [broken\n";
    const r = parseText(docs.join("---\n"), "large.yaml");
    expect(r.objects.length).toBe(2999);
    expect(brief(r.diagnostics)).toEqual([`NP1002 error ${1500 * 12 + 3}:25`]);
  });

  it("ignores empty documents and comments between them", () => {
    const r = parseText(`---\n# nothing\n---\n${pod("a")}---\n...\n`, "empty-docs.yaml");
    expect(names(r)).toEqual(["Pod/a"]);
    expect(r.diagnostics).toEqual([]);
  });

  it("reports an empty file and a comment-only file (NP1004)", () => {
    expect(brief(parseText("", "e.yaml").diagnostics)).toEqual(["NP1004 warning 1:1"]);
    expect(brief(parseText("# only a comment\n---\n", "c.yaml").diagnostics)).toEqual(["NP1004 warning 1:1"]);
  });

  it("rejects text with NUL bytes as binary (NP1005)", () => {
    expect(brief(parseText("apiVersion: v1\n\u0000\u0001", "b.yaml").diagnostics)).toEqual([
      "NP1005 error 2:1",
    ]);
  });

  it("handles a BOM and CRLF line ends", () => {
    const r = parseText(`\uFEFF${pod("a")}`.replace(/\n/g, "\r\n"), "crlf.yaml");
    expect(names(r)).toEqual(["Pod/a"]);
    expect(r.objects[0]?.locate(["spec", "containers", 0, "ports", 0])).toMatchObject({
      line: 11,
      column: 7,
    });
  });
});

describe("lists", () => {
  const podList = `kind: PodList
apiVersion: v1
items:
- metadata: {name: a, namespace: ns}
  spec: {containers: [{name: c}]}
- metadata:
    name: b
    namespace: ns
  spec:
    containers:
    - name: c
      ports: [{containerPort: 0}]
- metadata: {name: c, namespace: ns}
  spec: {containers: [{name: c}]}
`;

  it("unwraps a PodList, inferring kind and apiVersion, with item positions", () => {
    const r = parseText(podList, "pods.yaml");
    // Pod b keeps everything but its invalid port entry (loss.ts).
    expect(names(r)).toEqual(["Pod/a", "Pod/b", "Pod/c"]);
    expect(r.objects.map((o) => [o.apiVersion, o.kind])).toEqual([
      ["v1", "Pod"],
      ["v1", "Pod"],
      ["v1", "Pod"],
    ]);
    expect(r.objects.map((o) => `${o.source.line}:${o.source.column}`)).toEqual(["4:3", "6:3", "13:3"]);
    expect(brief(r.diagnostics)).toEqual(["NP2009 error 12:16"]);
    expect(r.objects[1]?.kind === "Pod" && r.objects[1].spec.containers?.[0]?.ports).toEqual([]);
    expect(r.objects[2]?.locate(["spec", "containers", 0])).toMatchObject({
      line: 14,
      column: 23,
      path: "spec.containers[0]",
    });
  });

  it("unwraps a kubectl JSON dump (List) with positions, skipping unknown kinds", () => {
    const json = JSON.stringify(
      {
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns", labels: { team: "a" } } },
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "ns" } },
          {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "np", namespace: "ns" },
            spec: { podSelector: {} },
          },
        ],
        metadata: { resourceVersion: "" },
      },
      null,
      4,
    );
    const r = parseText(json, "dump.json");
    expect(names(r)).toEqual(["Namespace/ns", "NetworkPolicy/np"]);
    expect(brief(r.diagnostics)).toEqual(["NP1007 warning 15:9"]);
    expect(r.objects[1]?.source).toMatchObject({ line: 23, column: 9 });
    expect(r.objects[1]?.locate(["spec", "podSelector"])).toMatchObject({ line: 31, column: 17 });
  });

  it("skips a whole list whose own fields repeat a key", () => {
    const r = parseText(`kind: List\napiVersion: v1\nkind: List\nitems: []\n`, "dup.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP1003 error 3:1"]);
  });
});

describe("YAML features", () => {
  it("resolves anchors, aliases and merge keys, keeping positions", () => {
    const text = `${policy("podSelector:\n  matchLabels: &l {app: web}\ningress:\n- from:\n  - podSelector:\n      matchLabels:\n        <<: *l\n        tier: db")}`;
    const r = parseText(text, "anchors.yaml");
    expect(r.diagnostics).toEqual([]);
    const np = r.objects[0];
    if (np?.kind !== "NetworkPolicy") throw new Error("expected a NetworkPolicy");
    expect(np.spec.ingress?.[0]?.from?.[0]?.podSelector?.matchLabels).toEqual({ tier: "db", app: "web" });
    const base = ["spec", "ingress", 0, "from", 0, "podSelector", "matchLabels"];
    expect(np.locate([...base, "tier"])).toMatchObject({ line: 14, column: 11 });
    // A merged key points at its definition under the anchor.
    expect(np.locate([...base, "app"])).toMatchObject({ line: 8, column: 22 });
  });

  it("keeps positions right when integer-like keys reorder a mapping", () => {
    const r = parseText(
      pod("a").replace("labels: {app: web}", "labels: {app: web, '7': x, z: y}"),
      "order.yaml",
    );
    expect(r.objects[0]?.locate(["metadata", "labels", "z"])).toMatchObject({ line: 6, column: 30 });
    expect(r.objects[0]?.locate(["metadata", "labels", "7"])).toMatchObject({ line: 6, column: 22 });
  });

  it("reads null as absent, and podSelector: null as the empty selector", () => {
    const r = parseText(policy("podSelector:\ningress: null\npolicyTypes: ~"), "null.yaml");
    expect(r.diagnostics).toEqual([]);
    const np = r.objects[0];
    if (np?.kind !== "NetworkPolicy") throw new Error("expected a NetworkPolicy");
    expect(np.spec.podSelector).toEqual({});
    expect(np.spec.ingress).toBeUndefined();
  });

  it("reads yes/on where a boolean is required as YAML 1.1 does, with a warning", () => {
    const r = parseText(pod("a", "  hostNetwork: on\n"), "yaml11.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP1008 warning 12:16"]);
    expect(r.objects[0]?.kind === "Pod" && r.objects[0].spec.hostNetwork).toBe(true);
  });

  it("locate falls back to the nearest existing ancestor", () => {
    const r = parseText(policy("podSelector: {}"), "np.yaml");
    expect(r.objects[0]?.locate(["spec", "ingress", 3, "from"])).toMatchObject({
      line: 6,
      column: 1,
      path: "spec.ingress[3].from",
    });
  });

  it("hands Services and Routes to the model as typed objects (no known kind is kept in `others`)", () => {
    const svc =
      "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n";
    const route =
      "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r, namespace: ns}\nspec: {to: {kind: Service, name: s}}\n";
    const r = parseText(`${svc}---\n${route}`, "others.yaml");
    expect(r.diagnostics).toEqual([]);
    expect(r.others).toEqual([]);
    expect(r.objects.map((o) => [o.kind, o.metadata.name, o.source.line])).toEqual([
      ["Service", "s", 1],
      ["Route", "r", 6],
    ]);
    const [s, rt] = r.objects;
    expect(s?.kind === "Service" && s.spec).toEqual({ selector: { app: "web" }, ports: [{ port: 80 }] });
    expect(rt?.kind === "Route" && rt.spec).toEqual({ to: { kind: "Service", name: "s" } });
  });
});
