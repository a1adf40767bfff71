// Why: the Temporal server reads one YAML file that names its stores, shard count, ports and
// cluster identity, and a second one for dynamic configuration. Both are generated from
// temporal-cluster.yaml at every start (never hand-edited), so the pinned values are the only
// source and a changed port takes effect on the next start.
import { stringify as toYaml } from 'yaml';
import type { TemporalClusterConfig } from './config-file';

export type ClusterPorts = TemporalClusterConfig['server']['ports'];

export interface ServerConfigInput {
  server: TemporalClusterConfig['server'];
  postgres: TemporalClusterConfig['postgres'] & { host: string };
  ports: ClusterPorts;
  dynamicConfigFile: string;
}

export const CLUSTER_NAME = 'active';

export function renderServerConfig(a: ServerConfigInput): string {
  const { server, postgres, ports } = a;
  const ip = server.ip;
  const hostPort = (p: number, host = ip) => `${host.includes(':') ? `[${host}]` : host}:${p}`;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: hostPort(postgres.port, postgres.host),
      connectProtocol: 'tcp',
      user: postgres.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: ip, ...(httpPort === undefined ? {} : { httpPort }) },
  });
  const config = {
    log: { stdout: true, level: server.logLevel, format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed for the life of the cluster: the server refuses to start when it differs from
      // the count recorded at first start.
      numHistoryShards: server.numHistoryShards,
      datastores: {
        'postgres-default': store(postgres.databases.temporal, postgres.maxConns.temporal),
        'postgres-visibility': store(postgres.databases.visibility, postgres.maxConns.visibility),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: ip },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: hostPort(ports.metrics) } },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: CLUSTER_NAME,
      currentClusterName: CLUSTER_NAME,
      clusterInformation: {
        [CLUSTER_NAME]: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: hostPort(ports.frontend), httpAddress: hostPort(ports.frontendHttp) },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    // The system workers (retention, scanners) reach the frontend here.
    publicClient: { hostPort: hostPort(ports.frontend) },
    dynamicConfigClient: { filepath: a.dynamicConfigFile, pollInterval: '10s' },
  };
  return `# Generated from temporal-cluster.yaml by src/app/stack/temporal-cluster-config.ts; edits are overwritten.\n${toYaml(config)}`;
}

/** Dynamic config file: every key unconstrained (one value for all namespaces and queues). */
export function renderDynamicConfig(values: Record<string, unknown>): string {
  const entries = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value, constraints: {} }]]));
  return `# Generated from temporal-cluster.yaml server.dynamicConfig; edits are overwritten.\n${Object.keys(entries).length ? toYaml(entries) : '{}\n'}`;
}
