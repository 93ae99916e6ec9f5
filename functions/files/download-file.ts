import { LINK_EXPIRY_SECONDS } from "#files/domain/limits";
import { downloadLink } from "#files/domain/uploads";
import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { clock, objects, store } from "./wiring";

/** GET /api/files/{fileId}/download — a presigned GET of the validated version (never logged). */
export const handler = httpRoute(FILE_ROUTES.downloadFile, async ({ params }) =>
  json(200, await downloadLink(params.fileId, { store: store(), objects: objects(), clock, expirySeconds: LINK_EXPIRY_SECONDS })),
);
