import { viewOf } from "#files/domain/files";
import { fileOf } from "#files/domain/uploads";
import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/files/{fileId} */
export const handler = httpRoute(FILE_ROUTES.getFile, async ({ params }) =>
  json(200, viewOf(await fileOf(store(), params.fileId))),
);
