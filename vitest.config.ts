import { defineConfig } from "vitest/config";

// Two projects: `unit` (fast, pure) and `conformance` (corpora, CLI end-to-end, properties).
// `npm test` runs both; `npm run test:fast` only the first.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/conformance/**", "test/e2e/**"] },
      },
      {
        extends: true,
        test: { name: "conformance", include: ["test/conformance/**/*.test.ts", "test/e2e/**/*.test.ts"] },
      },
    ],
  },
});
