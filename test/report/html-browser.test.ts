/**
 * The HTML report in a real headless browser (Debian's Chromium driven by playwright-core): it opens
 * from a file with no network, shows the graph (every node and edge of the report's graph drawn as
 * SVG), and reacts — views before/after/changes, a click on a workload lists its connections, the
 * search box finds workloads. Without Chromium the test is skipped, unless NETPOLC_REQUIRE_KERNEL=1
 * (CI), where it fails. playwright-core launches it with a fresh temporary profile.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckReport } from "../../src/report/index.js";
import { GOLDEN_DIR, GOLDEN_FILES } from "./support/run-check.js";

const CHROMIUM = process.env.NETPOLC_CHROMIUM ?? "/usr/bin/chromium";
const required = process.env.NETPOLC_REQUIRE_KERNEL === "1";
const available = existsSync(CHROMIUM);
const report = JSON.parse(readFileSync(join(GOLDEN_DIR, GOLDEN_FILES.json), "utf8")) as CheckReport;
const url = `file://${join(GOLDEN_DIR, GOLDEN_FILES.html)}`;

describe.runIf(available || required)("the HTML report in headless Chromium", () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector("body[data-ready='1']", { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("loads offline: no request but the page itself, no script error", () => {
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
  });

  it("shows the verdict and the graph: every node and edge of the report drawn", async () => {
    expect(await page.locator("header h1").textContent()).toContain(
      "netpolc check failed: 1 guarantee fails",
    );
    expect(await page.locator("#graph svg g.node").count()).toBe(report.graph.nodes.length);
    expect(await page.locator("#graph svg g.edge").count()).toBe(report.graph.edges.length);
    expect(await page.locator("#graph svg g.cluster").count()).toBe(
      new Set(report.graph.nodes.flatMap((n) => n.namespace ?? [])).size,
    );
    const box = await page.locator("#graph svg").boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    expect(box!.height).toBeGreaterThan(200);
    // The sensitive namespace is marked.
    expect(await page.locator("#graph svg g.cluster.sensitive text").first().textContent()).toBe(
      "payments (sensitive)",
    );
  });

  it("views: changes highlighted by default, removed edges hidden after, added edges hidden before", async () => {
    const removed = report.graph.edges.find((e) => e.status === "removed")!;
    const added = report.graph.edges.find((e) => e.status === "added")!;
    const unchanged = report.graph.edges.find((e) => e.status === "unchanged")!;
    const style = (id: string, prop: "display" | "opacity") =>
      page.locator(`#graph svg #${id}`).evaluate((el, p) => getComputedStyle(el)[p], prop);
    expect(await style(unchanged.id, "opacity")).toBe("0.12");
    expect(await style(added.id, "opacity")).toBe("1");
    await page.locator("input[name=view][value=after]").check();
    expect(await style(removed.id, "display")).toBe("none");
    expect(await style(added.id, "display")).not.toBe("none");
    await page.locator("input[name=view][value=before]").check();
    expect(await style(added.id, "display")).toBe("none");
    expect(await style(removed.id, "display")).not.toBe("none");
    await page.locator("input[name=view][value=changes]").check();
  });

  it("a click on a workload highlights its edges and lists its connections", async () => {
    const canary = report.graph.nodes.find((n) => n.label === "canary[Deployment]")!;
    const incident = report.graph.edges.filter((e) => e.src === canary.id || e.dst === canary.id);
    await page.locator(`#graph svg #${canary.id}`).click();
    expect(await page.locator("#panel h2").textContent()).toBe("experiments/canary[Deployment]");
    expect(await page.locator("#panel tr").count()).toBe(incident.length + 1);
    expect(await page.locator("#graph svg.focus .edge.hl").count()).toBe(incident.length);
    await page.keyboard.press("Escape");
    expect(await page.locator("#graph svg.focus").count()).toBe(0);
  });

  it("the search box marks matching workloads", async () => {
    await page.locator("#search").fill("payments/");
    expect(await page.locator("#graph svg .node.match").count()).toBe(
      report.graph.nodes.filter((n) => n.namespace === "payments").length,
    );
    await page.locator("#search").fill("");
    expect(await page.locator("#graph svg .node.match").count()).toBe(0);
  });
});
