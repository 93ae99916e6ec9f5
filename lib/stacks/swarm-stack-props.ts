import type { StackProps } from "aws-cdk-lib";
import type { StageConfig } from "../config/stage-config";

export interface SwarmStackProps extends StackProps {
  readonly config: StageConfig;
}
