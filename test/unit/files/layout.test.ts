import { describe, expect, it } from "vitest";
import { fileIdOf, fileKey } from "#files/domain/layout";
import { FileDatasetRef } from "#files/published/file-access";

describe("the files layout", () => {
  it("keys a file by type and id, and finds the id back from the key", () => {
    const key = fileKey("agent-config", "0b9e-42");
    expect(key).toBe("files/agent-config/0b9e-42");
    expect(fileIdOf(key)).toBe("0b9e-42");
  });

  it("finds no file in a key outside the layout", () => {
    for (const key of ["files/other/x", "settings/runtime-settings.json", "files/dataset/a/b", "files/dataset/"])
      expect(fileIdOf(key), key).toBeUndefined();
  });

  it("names an uploaded dataset for a job as file:<fileId>", () => {
    expect(FileDatasetRef.parse("file:0b9e-42")).toBe("0b9e-42");
    expect(FileDatasetRef.safeParse("fixture:tge-news").success).toBe(false);
  });
});
