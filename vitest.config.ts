import { defineConfig } from "vitest/config";

/**
 * Three tiers, run in this order by `npm test`:
 *  - unit:  domain logic and adapters against in-memory ports or a mocked SDK; no network.
 *  - infra: CDK template assertions and cdk-nag; synthesizes, deploys nothing.
 *  - e2e:   the deployed local stack, through the real API and WebSocket. Its global setup
 *           starts a fresh emulator, deploys once and starts agents.
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          env: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
        },
      },
      {
        extends: true,
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          environment: "node",
          // Each file synthesizes the whole app, seconds of CPU at a stretch: run one at a time, so a
          // worker busy synthesizing never starves another's messages to the runner (vitest's RPC timeout).
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One deployed stack is shared by every e2e file; run them one after another.
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
