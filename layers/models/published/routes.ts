import { ACTOR_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import {
  ModelExport,
  ModelList,
  ModelNameParams,
  ModelVersion,
  ModelVersionPage,
  ModelVersionParams,
  ModelVersionsQuery,
  PromotionView,
} from "../domain/model-version";

/** The model registry's API: models, their versions and figures, exports, and promotion through the optimization pipeline. */
export const MODEL_ROUTES = {
  listModels: {
    method: "GET",
    path: "/api/models",
    entry: "models/list-models",
    roles: READER_ROLES,
    summary: "Every model: how many versions, the newest, and the one the settings hold",
    responses: { 200: { description: "The models", schema: ModelList } },
    errors: [],
  },
  listModelVersions: {
    method: "GET",
    path: "/api/models/{name}/versions",
    entry: "models/list-model-versions",
    roles: READER_ROLES,
    summary: "A model's versions, newest first, with their held-out figures",
    params: ModelNameParams,
    query: ModelVersionsQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of versions", schema: ModelVersionPage } },
    errors: [400, 404],
  },
  getModelVersion: {
    method: "GET",
    path: "/api/models/{name}/versions/{version}",
    entry: "models/get-model-version",
    roles: READER_ROLES,
    summary: "A model version: its job, datasets, figures, artifact, status and promotion",
    params: ModelVersionParams,
    responses: { 200: { description: "The version", schema: ModelVersion } },
    errors: [400, 404],
  },
  exportModelVersion: {
    method: "GET",
    path: "/api/models/{name}/versions/{version}/export",
    entry: "models/export-model-version",
    roles: READER_ROLES,
    summary: "A short-lived presigned GET of the version's artifact (its exact S3 version), with its sha256",
    description: "The link works for 5 minutes and is never logged; `sha256` checks the download.",
    params: ModelVersionParams,
    // A new link on every call: nothing to revalidate.
    cache: "no-store",
    responses: { 200: { description: "The export link", schema: ModelExport } },
    errors: [400, 404],
  },
  promoteModelVersion: {
    method: "POST",
    path: "/api/models/{name}/versions/{version}/promote",
    entry: "models/promote-model-version",
    roles: ACTOR_ROLES,
    summary: "Put the version into the settings agents run on, through the optimization pipeline",
    description:
      "Submits a recommendation that replaces the `detection-keywords` document with the version's artifact, against the document's current version: it is validated, approved by risk (a whole-document replacement is `medium`), applied under the document's lock, verified on the labelled sample and rolled back if verification fails. The answer names the optimization; the version becomes `promoted` when it is applied (the one before `retired`), and stays as it was otherwise. A repeat while the promotion runs answers the same optimization; an already promoted version answers 409.",
    params: ModelVersionParams,
    responses: {
      202: {
        description: "Accepted: the optimization runs",
        schema: PromotionView,
        headers: { location: "/api/optimizations/{recommendationId}" },
      },
    },
    errors: [400, 404, 409],
  },
} as const satisfies RouteTable;
