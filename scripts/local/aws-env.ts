/** The account and region every local deploy uses. */
export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "us-east-1";

/**
 * Environment for anything that talks to the emulator: the SDK and the CDK CLI read
 * AWS_ENDPOINT_URL; the emulator takes a 12-digit access key as the account id.
 */
export function emulatorAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_ACCOUNT,
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    CDK_DEFAULT_ACCOUNT: LOCAL_ACCOUNT,
    CDK_DEFAULT_REGION: LOCAL_REGION,
    AWS_PAGER: "",
    // The SDK warns that releases after January 2027 need Node 22; the lockfile pins one that does not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** Sets the emulator environment on this process, so SDK clients created afterwards use it. */
export function useEmulator(endpoint: string): void {
  Object.assign(process.env, emulatorAwsEnv(endpoint));
}
