import { FixtureDataset, type LabelledDataset } from "#detection/published/datasets";
import { fixtureDataset } from "#detection/published/fixture-datasets";
import type { DatasetSource } from "../domain/run-scorer-training";

/** Raised for a dataset reference that names nothing this job can read. */
export class DatasetNotFoundError extends Error {
  constructor(ref: string, why: string) {
    super(`dataset ${ref}: ${why}`);
    this.name = "DatasetNotFoundError";
  }
}

/**
 * `fixture:<name>` from the fixtures bundled into the job; `file:<fileId>` from `files` when
 * one is given (the files context's uploads: wired where that context is), refused otherwise.
 */
export class JobDatasets implements DatasetSource {
  constructor(private readonly files?: (fileId: string) => Promise<LabelledDataset>) {}

  async load(ref: string): Promise<LabelledDataset> {
    const [scheme, name = ""] = ref.split(/:(.*)/s);
    if (scheme === "fixture") {
      const fixture = FixtureDataset.safeParse(name);
      if (!fixture.success) throw new DatasetNotFoundError(ref, `no shipped dataset is named ${name}`);
      return fixtureDataset(fixture.data);
    }
    if (scheme === "file") {
      if (!this.files) throw new DatasetNotFoundError(ref, "uploaded datasets are not readable by this deployment yet");
      return this.files(name);
    }
    throw new DatasetNotFoundError(ref, "is neither fixture:<name> nor file:<fileId>");
  }
}
