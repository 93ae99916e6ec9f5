import { envContract, envVar } from "#shared/env-contract";

/** What the upload and validation functions are configured with, set by the files stack from the stage config. */
export const UploadEnv = envContract({
  /** The stage's `maxUploadBytes`: our check and the form's `content-length-range`. */
  MAX_UPLOAD_BYTES: envVar.int({ min: 1 }),
});

export const ValidationEnv = envContract({
  /** `guardduty` where GuardDuty Malware Protection scans the bucket (prod): files stay pending until its verdict. */
  MALWARE_SCAN: envVar.oneOf(["guardduty", "none"] as const),
});
