import { defineConfig } from "vitest/config";

// Three projects: `unit` (fast, pure), `conformance` (corpora, CLI end-to-end, properties) and
// `kernel` (emitted rules loaded into network namespaces; root, one file at a time).
// `npm test` runs all; `npm run test:fast` only the first; `npm run test:kernel` the last.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Both cores (vitest's default on a 2-core machine is one worker).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/conformance/**", "test/e2e/**", "test/kernel/**"] },
      },
      {
        extends: true,
        test: { name: "conformance", include: ["test/conformance/**/*.test.ts", "test/e2e/**/*.test.ts"] },
      },
      {
        extends: true,
        // After the others (groupOrder), one file at a time: probes time out under CPU contention.
        test: {
          name: "kernel",
          include: ["test/kernel/**/*.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
