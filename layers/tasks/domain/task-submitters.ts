import { submittersOf } from "#kernel/agent-catalog";
import { DomainError } from "#shared/errors";
import type { Caller } from "#shared/identity";

/** The caller may not submit tasks of this type (its owners are named in the agent catalog). */
export class TaskTypeForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = "TaskTypeForbidden";
  override readonly fields;
  constructor(
    readonly taskType: string,
    reason: string,
  ) {
    super(`tasks of type ${taskType} ${reason}`);
    this.name = "TaskTypeForbiddenError";
    this.fields = [{ field: "type", message: `${taskType} ${reason}` }];
  }
}

/**
 * Refuses a task type the caller does not own: the pipeline's types (`system`) to every user,
 * whatever their role; the diagnostics (`admins`) to anyone but an admin, and to everyone on a
 * stage that has them off. A type no agent runs is left to the request schema (400).
 *
 * @example
 * requireSubmitter("tge.validate", operator, { diagnosticsEnabled: true }); // throws TaskTypeForbiddenError
 */
export function requireSubmitter(type: string, caller: Caller, policy: { readonly diagnosticsEnabled: boolean }): void {
  const submitters = submittersOf(type);
  if (submitters === "system" && !caller.system) {
    throw new TaskTypeForbiddenError(type, "are submitted only by the swarm's own components");
  }
  if (submitters === "admins") {
    if (!policy.diagnosticsEnabled) throw new TaskTypeForbiddenError(type, "are disabled on this stage");
    if (caller.system || !caller.roles.includes("admin"))
      throw new TaskTypeForbiddenError(type, "may be submitted by admins only");
  }
}
