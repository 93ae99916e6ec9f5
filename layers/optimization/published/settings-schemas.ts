import type * as z from "zod";
import { SETTINGS_DOCUMENTS, SETTINGS_NAMES, SettingsName } from "../domain/settings-catalog";

export { SETTINGS_NAMES, SettingsName };

/**
 * The schema a settings document must pass, read-only: what an uploaded agent config is checked
 * against before anyone proposes it as a change (the files context validates `agent-config`
 * uploads with it). The catalog itself stays internal; this is the one fact others need.
 *
 * @example
 * const result = settingsSchemaOf("keyword-config").safeParse(JSON.parse(text));
 */
export const settingsSchemaOf = (name: SettingsName): z.ZodType => SETTINGS_DOCUMENTS[name].schema;
