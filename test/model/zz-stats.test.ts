import fc from "fast-check";
import { it } from "vitest";
import { caseArb } from "./support/arbitraries.js";
import { compareCase, EngineView, probeIps, probePorts, PROTOCOLS } from "./support/compare.js";
import { podsOf } from "./support/case.js";
import { Oracle } from "./support/naive.js";

it("stats", () => {
  const samples = fc.sample(caseArb, { numRuns: 300, seed: 42 });
  let allow = 0, deny = 0, mixedPairs = 0, pairs = 0, checks = 0;
  let tOracle = 0, tEngine = 0, tCompare = 0;
  for (const c of samples) {
    const o = new Oracle(c);
    const pods = podsOf(c);
    const ports = probePorts(c);
    for (const s of pods) for (const d of pods) if (s !== d) {
      pairs++;
      let a = 0, n = 0;
      for (const p of PROTOCOLS) for (const port of ports) { if (o.allowed({pod: s}, {pod: d}, p, port, "include")) a++; else n++; }
      allow += a; deny += n; if (a && n) mixedPairs++;
    }
    let t = performance.now();
    compareCase(c, "include");
    tCompare += performance.now() - t;
    t = performance.now();
    new EngineView(c, "include");
    tEngine += performance.now() - t;
    checks += (pods.length * (pods.length - 1) + 2 * pods.length * probeIps(c).length) * 3 * ports.length;
  }
  console.log({ allow, deny, pairs, mixedPairs, checks, tCompare, tEngine });
});
