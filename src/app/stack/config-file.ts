// Why: temporal-dev.yaml is hand-edited; a typo there should stop start-up with a message
// naming the field, not surface later as a strange flag error from the Temporal CLI.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The project root: src/app/stack/ is three levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_TEMPORAL_DEV_CONFIG_PATH = path.join(PROJECT_ROOT, 'temporal-dev.yaml');

const port = z.number().int().min(1).max(65535);
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier');

// SQLite URI parameters the server sets itself; the CLI would treat them as URI
// parameters rather than pragmas and could e.g. switch the file to read-only.
const RESERVED_SQLITE_KEYS = new Set(['cache', 'immutable', 'mode', 'modeof', 'nolock', 'psow', 'setup', 'vfs']);

const searchAttributeType = z.enum(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

export const temporalDevConfigSchema = z
  .object({
    cli: z
      .object({
        version: z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v1.2.3'),
        goPackage: z.string().min(1),
      })
      .strict(),
    server: z
      .object({
        ip: z.string().min(1),
        port,
        httpPort: port,
        metricsPort: port,
        ui: z.object({ enabled: z.boolean(), port }).strict(),
        namespace: z.string().min(1),
        logLevel: z.enum(['debug', 'info', 'warn', 'error', 'never']),
        dbFile: z.string().min(1),
        sqlitePragmas: z
          .record(identifier, z.union([z.string().min(1), z.number()]))
          .default({})
          .refine((pragmas) => Object.keys(pragmas).every((k) => !RESERVED_SQLITE_KEYS.has(k.toLowerCase())), {
            message: `must not set SQLite URI parameters (${[...RESERVED_SQLITE_KEYS].join(', ')})`,
          }),
        searchAttributes: z.record(identifier, searchAttributeType).default({}),
        dynamicConfig: z.record(z.string().min(1), z.unknown()).default({}),
      })
      .strict(),
  })
  .strict();

export type TemporalDevConfig = z.infer<typeof temporalDevConfigSchema>;

export interface LoadedTemporalDevConfig extends TemporalDevConfig {
  /** Absolute path of the file it came from. */
  configPath: string;
  /** server.dbFile resolved against the file's directory. */
  dbFilePath: string;
}

export async function loadTemporalDevConfig(
  configPath: string = DEFAULT_TEMPORAL_DEV_CONFIG_PATH,
): Promise<LoadedTemporalDevConfig> {
  const absolute = path.resolve(configPath);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read Temporal dev config ${absolute}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${absolute} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const parsed = temporalDevConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`Invalid Temporal dev config ${absolute}:\n${problems}`);
  }
  return {
    ...parsed.data,
    configPath: absolute,
    dbFilePath: path.resolve(path.dirname(absolute), parsed.data.server.dbFile),
  };
}

// --- temporal-cluster.yaml: the real Temporal cluster behind `npm run cluster` ---

export const DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH = path.join(PROJECT_ROOT, 'temporal-cluster.yaml');

const goPath = z.string().regex(/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'must be a Go module or package path');
// Go duration syntax as the server's retention flag takes it, e.g. 72h or 30m.
const goDuration = z.string().regex(/^(\d+(h|m|s))+$/, 'must be a duration like 72h or 90m');
const pgIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier');

export const temporalClusterConfigSchema = z
  .object({
    server: z
      .object({
        version: z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v1.2.3'),
        goModule: goPath,
        minGo: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'must look like 1.26.4'),
        packages: z.object({ server: goPath, sql: goPath }).strict(),
        numHistoryShards: z.number().int().min(1).max(16_384),
        ip: z.string().min(1),
        ports: z
          .object({
            frontend: port,
            frontendHttp: port,
            frontendMembership: port,
            history: port,
            historyMembership: port,
            matching: port,
            matchingMembership: port,
            worker: port,
            workerMembership: port,
            metrics: port,
          })
          .strict()
          .refine((ports) => new Set(Object.values(ports)).size === Object.keys(ports).length, { message: 'every port must be distinct' })
          // The server records membership ports in a smallint column.
          .refine((ports) => [ports.frontendMembership, ports.historyMembership, ports.matchingMembership, ports.workerMembership].every((p) => p <= 32_767), {
            message: 'membership ports must be at most 32767',
          }),
        logLevel: z.enum(['debug', 'info', 'warn', 'error']),
        namespace: z.string().min(1),
        retention: goDuration,
        searchAttributes: z.record(identifier, searchAttributeType).default({}),
        dynamicConfig: z.record(z.string().min(1), z.unknown()).default({}),
      })
      .strict(),
    dataDir: z.string().min(1),
    postgres: z
      .object({
        binDir: z.string().default(''),
        port,
        user: pgIdentifier,
        databases: z
          .object({ temporal: pgIdentifier, visibility: pgIdentifier, pacer: pgIdentifier })
          .strict()
          .refine((dbs) => new Set(Object.values(dbs)).size === 3, { message: 'the three databases must have distinct names' }),
        maxConns: z.object({ temporal: z.number().int().min(1).max(1000), visibility: z.number().int().min(1).max(1000) }).strict(),
        maxConnections: z.number().int().min(20).max(10_000),
        durable: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type TemporalClusterConfig = z.infer<typeof temporalClusterConfigSchema>;

export interface LoadedTemporalClusterConfig extends TemporalClusterConfig {
  configPath: string;
  /** dataDir resolved against the file's directory. */
  dataDirPath: string;
}

export async function loadTemporalClusterConfig(
  configPath: string = DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH,
): Promise<LoadedTemporalClusterConfig> {
  const absolute = path.resolve(configPath);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read Temporal cluster config ${absolute}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${absolute} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const parsed = temporalClusterConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`Invalid Temporal cluster config ${absolute}:\n${problems}`);
  }
  return {
    ...parsed.data,
    configPath: absolute,
    dataDirPath: path.resolve(path.dirname(absolute), parsed.data.dataDir),
  };
}
