import * as z from "zod";

/**
 * What the page needs to know about the deployment it talks to. It is fetched at run time from
 * `/config.json` rather than baked into the bundle, so one build serves every stage: the local
 * dashboard server writes it from `.local/outputs.json`, and the web stack deploys it beside the page.
 */
export const DashboardConfig = z.object({
  httpApiUrl: z.url({ protocol: /^https?$/ }),
  webSocketUrl: z.url({ protocol: /^wss?$/ }),
  /** `<region>_<id>`: SRP sign-in derives the password verifier from the pool's id. */
  userPoolId: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d_\w+$/, "must be a Cognito user pool id such as us-east-1_AbC123"),
  userPoolClientId: z.string().min(1),
  /** Where InitiateAuth is POSTed: `https://cognito-idp.<region>.amazonaws.com/` on AWS, the emulator locally. */
  cognitoEndpoint: z.url({ protocol: /^https?$/ }),
  region: z.string().min(1),
});
export type DashboardConfig = z.infer<typeof DashboardConfig>;

export class ConfigUnavailableError extends Error {
  constructor(reason: string) {
    super(`The dashboard could not read /config.json: ${reason}`);
    this.name = "ConfigUnavailableError";
  }
}

/**
 * Reads and checks `/config.json`.
 *
 * @example
 * const config = await loadConfig(); // → { httpApiUrl: "https://…", webSocketUrl: "wss://…", … }
 */
export async function loadConfig(fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<DashboardConfig> {
  let body: unknown;
  try {
    const response = await fetchImpl("/config.json", { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new ConfigUnavailableError(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    if (error instanceof ConfigUnavailableError) throw error;
    throw new ConfigUnavailableError(error instanceof Error ? error.message : String(error));
  }
  const parsed = DashboardConfig.safeParse(body);
  if (!parsed.success) {
    throw new ConfigUnavailableError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  }
  return parsed.data;
}
