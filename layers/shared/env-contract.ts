import * as z from "zod";
import { InvalidEnvironmentError } from "./env";
import { jsonText } from "./json-text";

/** One environment variable: how it is read (a zod schema over the text) and how a value is written. */
export interface EnvVar<T> {
  readonly schema: z.ZodType<T>;
  encode(value: T): string;
}

/** The variables' values, typed: what the CDK passes to `toEnvironment` and what `read` answers. */
export type EnvValues<V extends Record<string, EnvVar<unknown>>> = {
  readonly [K in keyof V]: V[K] extends EnvVar<infer T> ? T : never;
};

/**
 * The environment one consumer reads, declared once: the construct that sets it calls
 * `toEnvironment` with typed values, the function or container calls `read`. A key renamed on
 * one side breaks the typecheck on the other; a missing or bad variable fails at cold start,
 * naming every one. There are no defaults here: the CDK sets every variable.
 *
 * @example
 * export const TasksTableEnv = envContract({ TASKS_TABLE: envVar.name() });
 * // the stack:    environment: TasksTableEnv.toEnvironment({ TASKS_TABLE: table.tableName })
 * // the function: const { TASKS_TABLE } = TasksTableEnv.read();
 */
export interface EnvContract<V extends Record<string, EnvVar<unknown>>> {
  readonly vars: V;
  read(source?: Record<string, string | undefined>): EnvValues<V>;
  toEnvironment(values: EnvValues<V>): Record<string, string>;
  /** This contract and another, as one (a consumer that reads both). */
  and<W extends Record<string, EnvVar<unknown>>>(other: EnvContract<W>): EnvContract<V & W>;
}

export function envContract<V extends Record<string, EnvVar<unknown>>>(vars: V): EnvContract<V> {
  const schema = z.object(Object.fromEntries(Object.entries(vars).map(([key, v]) => [key, v.schema])));
  return {
    vars,
    read(source = process.env) {
      const result = schema.safeParse(source);
      if (!result.success) {
        throw new InvalidEnvironmentError(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
      }
      return result.data as EnvValues<V>;
    },
    toEnvironment(values) {
      return Object.fromEntries(
        Object.entries(vars).map(([key, v]) => [key, v.encode((values as Record<string, unknown>)[key])]),
      );
    },
    and(other) {
      return envContract({ ...vars, ...other.vars });
    },
  };
}

const text = (schema: z.ZodType<string>): EnvVar<string> => ({ schema, encode: (value) => value });

/** The kinds of variable consumers read. */
export const envVar = {
  /** A resource's name or ARN (never empty). */
  name: (): EnvVar<string> => text(z.string().min(1)),
  url: (): EnvVar<string> => text(z.url()),
  int: (range: { min?: number; max?: number } = {}): EnvVar<number> => ({
    schema: z.coerce
      .number()
      .int()
      .min(range.min ?? Number.MIN_SAFE_INTEGER)
      .max(range.max ?? Number.MAX_SAFE_INTEGER),
    encode: (value) => String(value),
  }),
  number: (range: { min?: number; max?: number } = {}): EnvVar<number> => ({
    schema: z.coerce
      .number()
      .min(range.min ?? -Number.MAX_VALUE)
      .max(range.max ?? Number.MAX_VALUE),
    encode: (value) => String(value),
  }),
  bool: (): EnvVar<boolean> => ({ schema: z.enum(["true", "false"]).transform((v) => v === "true"), encode: String }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T): EnvVar<T[number]> => ({
    schema: z.string().refine((value): value is T[number] => values.includes(value), {
      message: `must be one of ${values.join(", ")}`,
    }),
    encode: (value) => value,
  }),
  /**
   * Comma-separated; empty for none. An empty list may arrive as no variable at all: Fargate
   * (platform 1.4) does not set a container variable whose value is empty
   * (aws/amazon-ecs-agent#2550), so absent reads as the empty list it was written as.
   */
  list: (item: z.ZodType<string, string> = z.string().min(1)): EnvVar<string[]> => ({
    schema: z
      .string()
      .optional()
      .transform((raw = "") =>
        raw
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(item)),
    encode: (value) => value.join(","),
  }),
  /** A JSON document validated by `schema` (string tokens inside it are resolved by the CDK). */
  json: <S extends z.ZodType>(schema: S): EnvVar<z.infer<S>> => ({
    schema: jsonText(schema),
    encode: (value) => JSON.stringify(value),
  }),
};
