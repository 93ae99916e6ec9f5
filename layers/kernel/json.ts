import * as z from "zod";

/** Any JSON value. */
export const JsonValue = z.json();
/** A JSON object: what a task carries to its agent and what the agent returns. */
export const JsonObject = z.record(z.string(), JsonValue);
export type JsonObject = z.infer<typeof JsonObject>;
