import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import type { DecisionOutput, PipelineControl } from "../domain/ports";

/**
 * The optimization state machine: one execution per recommendation, named by its id (so a
 * repeated start is refused by Step Functions and changes nothing), resumed from approval by
 * its task token.
 */
export class SfnPipelineControl implements PipelineControl {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(recommendationId: string): Promise<"started" | "already-started"> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: recommendationId,
          input: JSON.stringify({ recommendationId }),
        }),
      );
      return "started";
    } catch (error) {
      // AWS answers a repeated start with the same name and input as a success while it runs;
      // after it ended, or locally (the emulator), it answers ExecutionAlreadyExists.
      if (error instanceof ExecutionAlreadyExists) return "already-started";
      throw error;
    }
  }

  async resume(token: string, output: DecisionOutput): Promise<"resumed" | "gone"> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      return "resumed";
    } catch (error) {
      // The wait timed out (AWS: TaskTimedOut; the emulator: TaskDoesNotExist) or the token was used.
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) return "gone";
      throw error;
    }
  }
}
