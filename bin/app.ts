import { App } from "aws-cdk-lib";
import { InvalidStageConfigError, loadStageConfig } from "../lib/config/stage-config";
import { buildSwarm } from "../lib/swarm-app";
import { applyEmulatorCompat } from "../scripts/local/emulator-compat";

const app = new App();
const stage = String(app.node.tryGetContext("stage") ?? "dev");

try {
  const config = loadStageConfig(stage, process.env);
  buildSwarm(app, config);
  // Set only by scripts/local when deploying into the local emulator; see docs/local-fidelity.md.
  const emulatorEndpoint = app.node.tryGetContext("emulatorEndpoint");
  if (typeof emulatorEndpoint === "string") applyEmulatorCompat(app, emulatorEndpoint, config.stage);
} catch (error) {
  if (error instanceof InvalidStageConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
