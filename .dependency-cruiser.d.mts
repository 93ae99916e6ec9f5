// Types for the import rules, so the architecture test can read them.
import type { IConfiguration } from "dependency-cruiser";

declare const config: IConfiguration;
export default config;
