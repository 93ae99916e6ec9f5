import { envContract, envVar } from "./env-contract";

/** The variable every function is given its stage's name in (`SwarmFunction` writes it). */
export const StageEnvironment = envContract({ STAGE: envVar.name() });
