/**
 * `who can reach` / `what can … reach` rows are `list --focus` rows (computed from one row and one
 * column of the engine instead of every pair), and `what if` on cluster policies and on Services and
 * workloads (the full-rebuild path) equals `diff` of the edited input — on the tiers and Services
 * fixtures.
 */
import { describe, expect, it } from "vitest";
import { renderDiff, renderList } from "../../src/cli/formats.js";
import { clusterPeers, diffConnections, inputFamilies, listConnections } from "../../src/model/index.js";
import { focusRows } from "../../src/repl/focus.js";
import { loadSession, replOptions } from "../../src/repl/index.js";

const FIXTURES = [
  "fixtures/demo",
  "fixtures/tiers",
  "fixtures/services",
  "test/conformance/k8s-e2e/topology.yaml",
];

describe("focused rows equal list --focus", () => {
  for (const fixture of FIXTURES)
    it(fixture, async () => {
      const { session } = await loadSession([fixture], replOptions());
      const st = session.state;
      const a = st.analysis;
      for (const p of st.peers) {
        if (p.ref.kind !== "workload") continue;
        const focus = `${p.ref.namespace}/${p.ref.name}`;
        for (const dir of ["ingress", "egress"] as const) {
          const expected = listConnections(a, { focus, focusDirection: dir });
          expect(renderList(focusRows(st, p, dir), "connlist"), `${dir} ${focus}`).toBe(
            renderList(expected, "connlist"),
          );
        }
      }
    });
});

describe("what if on the full-rebuild path equals diff", () => {
  const cases: [string, string][] = [
    ["fixtures/tiers", "what if delete clusternetworkpolicy tenant-isolation"],
    ["fixtures/services", "what if delete service data/postgres"],
    ["fixtures/demo", "what if delete deployment backend/checkout"],
    ["fixtures/demo", "what if delete namespace payments"],
  ];
  for (const [fixture, query] of cases)
    it(`${fixture}: ${query}`, async () => {
      const { session } = await loadSession([fixture], replOptions());
      const before = session.state;
      const answer = await session.answer(query);
      expect(answer.verdict, answer.lines.join("\n") + JSON.stringify(answer.json)).not.toBe("error");
      const after = session.state;
      const families = [...new Set([...inputFamilies(before.analysis), ...inputFamilies(after.analysis)])];
      const expected = diffConnections(
        listConnections(before.analysis, { families }),
        listConnections(after.analysis, { families }),
        clusterPeers(before.analysis, "workload").map((p) => p.ref),
        clusterPeers(after.analysis, "workload").map((p) => p.ref),
      );
      expect(answer.json.diff).toEqual(JSON.parse(renderDiff(expected, "json")));
    });
});
