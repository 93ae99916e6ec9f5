/**
 * The Cognito groups in an access token, read from its payload without verifying it: the page
 * uses them only to decide which controls to show. The API checks every call itself.
 */
export function rolesOf(accessToken: string): string[] {
  const payload = accessToken.split(".")[1];
  if (!payload) return [];
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    const groups = typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>)["cognito:groups"] : [];
    return Array.isArray(groups) ? groups.map(String) : [];
  } catch {
    // Not a JWT the page can read: show no controls that need a role (the API decides anyway).
    return [];
  }
}

/** Whether any of `roles` is in `allowed` (a route's roles). */
export const mayCall = (roles: readonly string[], allowed: readonly string[]): boolean =>
  roles.some((role) => allowed.includes(role));
