import { envContract, envVar } from "#shared/env-contract";

/** The variables the models functions read: the models stack writes them, `functions/models/wiring.ts` reads them. */
export const ModelsTableEnvironment = envContract({ MODELS_TABLE: envVar.name() });

export const ModelsBucketEnvironment = envContract({ MODELS_BUCKET: envVar.name() });
