import { ConflictError, NotFoundError } from "#shared/errors";

/** The model, or the version of it, is not registered (404). */
export class ModelVersionNotFoundError extends NotFoundError {
  constructor(name: string, version?: string) {
    super(version ? "model version" : "model", version ? `${name} ${version}` : name);
    this.name = "ModelVersionNotFoundError";
  }
}

/** The version is already the one the settings hold (409): there is nothing to promote. */
export class ModelAlreadyPromotedError extends ConflictError {
  constructor(name: string, version: string) {
    super("ModelAlreadyPromoted", `${name} ${version} is already promoted`);
    this.name = "ModelAlreadyPromotedError";
  }
}

/** A `scorer-training` job's result that is not a `ScorerTrainingResult`: nothing can be registered from it. */
export class InvalidTrainingResultError extends Error {
  constructor(
    readonly jobId: string,
    problems: readonly string[],
  ) {
    super(`job ${jobId}'s result is not a scorer-training result: ${problems.join("; ")}`);
    this.name = "InvalidTrainingResultError";
  }
}

/** The job's artifact is not a `detection-keywords` document (a `KeywordConfig`). */
export class InvalidArtifactError extends Error {
  constructor(
    readonly jobId: string,
    problems: readonly string[],
  ) {
    super(`job ${jobId}'s artifact is not a keyword config: ${problems.join("; ")}`);
    this.name = "InvalidArtifactError";
  }
}
