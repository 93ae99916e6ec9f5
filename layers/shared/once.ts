/**
 * A value made on first use and kept for the life of the process. Wiring uses it so a function
 * reads only the configuration it needs, when it first needs it, and fails at once if it is bad.
 *
 * @example
 * export const taskStore = once(() => new DynamoDbTaskStore(db(), readEnv(TasksTableEnv).TASKS_TABLE));
 */
export function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}
