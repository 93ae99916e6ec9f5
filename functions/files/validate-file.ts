import { viewOf } from "#files/domain/files";
import { revalidate } from "#files/domain/uploads";
import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { validateDeps } from "./wiring";

/** POST /api/files/{fileId}/validate — judge the current upload again. */
export const handler = httpRoute(FILE_ROUTES.validateFile, async ({ params }) =>
  json(200, viewOf(await revalidate(params.fileId, validateDeps()))),
);
