/** What a load process (bench/*-load.ts) was given by runLoadProcess: the JSON in the file its first argument names. */
import { readFileSync } from 'node:fs';

export function loadSpecOf<T>(): T {
  return JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as T;
}
