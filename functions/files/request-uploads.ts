import { viewOf } from "#files/domain/files";
import { requestUploads } from "#files/domain/uploads";
import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { newId } from "#shared/ids";
import { clock, limits, objects, store } from "./wiring";

/** POST /api/files/uploads — 201 with a pending record and a presigned form per file (the forms are never logged). */
export const handler = httpRoute(FILE_ROUTES.requestUploads, async ({ body, caller }) => {
  const answers = await requestUploads(body, caller, { store: store(), objects: objects(), clock, newId, limits: limits() });
  metrics.addMetric("UploadsRequested", "Count", answers.length);
  return json(201, { files: answers.map(({ record, upload }) => ({ file: viewOf(record), upload })) });
});
