import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables only the coordination functions read: the coordination stack writes them with
 * `toEnvironment` and `functions/coordination/wiring.ts` reads them with `read`. The locks' and
 * the insights' variables are published (`LocksTableEnvironment`, `LockTimeoutEnvironment`,
 * `InsightsEnvironment`): agents and other contexts' functions read them too.
 */
export const CoordinationEventsTableEnvironment = envContract({ COORDINATION_EVENTS_TABLE: envVar.name() });
