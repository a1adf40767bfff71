/**
 * Fields every log line written inside a unit of work carries (the worker sets the activity's
 * workflow, run and ticket or incident ids), so a line is found from the ticket the console shows.
 * The logger (logger.ts) adds them through pino's mixin.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = Record<string, string | number>;

const storage = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with these fields on every line it logs (added to any the caller already carries). */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

export function currentLogFields(): LogFields {
  return storage.getStore() ?? {};
}
