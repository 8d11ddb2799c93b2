import { mkdirSync } from 'node:fs';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { createAgentLogger } from './agent-log.ts';
import type { LoadedConfig } from './config.ts';
import { LdapDirectorySource, type DirectorySource } from './directory-source.ts';
import { ProgressReporter } from './progress.ts';
import { ServiceClient } from './service-client.ts';
import { openStateDatabase, type StateDatabase } from './state-db.ts';
import { lockStateDir } from './state-lock.ts';
import { SyncEngine } from './sync-engine.ts';
import { ServiceTransport } from './transport.ts';

export interface AgentRuntime {
  engine: SyncEngine;
  db: StateDatabase;
  log: Logger;
  client: ServiceClient;
  directory: DirectorySource;
  close(): Promise<void>;
}

export interface OpenAgentOptions {
  clock?: Clock;
  /** Terminal for the progress bar; progress is logged when undefined. */
  tty?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/** Builds the service client from the configuration's service section. */
export function createServiceClient(
  loaded: LoadedConfig,
  clock: Clock,
  env: NodeJS.ProcessEnv,
): ServiceClient {
  const { service } = loaded.config;
  const transport = new ServiceTransport({
    url: service.url,
    trust: {
      ...(service.caFile === undefined ? {} : { caFile: service.caFile }),
      ...(service.fingerprint === undefined ? {} : { fingerprint: service.fingerprint }),
    },
    ...(service.proxy === undefined ? {} : { proxy: service.proxy }),
    env,
    timeoutMs: service.timeoutSeconds * 1000,
  });
  return new ServiceClient(transport, clock);
}

/**
 * Opens everything the agent runs on, in the order that lets a failure leave nothing behind:
 * the lock on the state folder, the logger and the state database, the service client, and
 * last the directory connection (the step most likely to fail).
 */
export async function openAgent(
  loaded: LoadedConfig,
  options: OpenAgentOptions = {},
): Promise<AgentRuntime> {
  const { config, secrets } = loaded;
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const unlock = lockStateDir(ensureDir(config.stateDir));
  const log = createAgentLogger({
    level: config.log.level,
    syslog: config.log.syslog,
    stateDir: config.stateDir,
    env,
  });
  let db: StateDatabase | undefined;
  let client: ServiceClient | undefined;
  try {
    db = openStateDatabase(config.stateDir);
    client = createServiceClient(loaded, clock, env);
    const directory = await LdapDirectorySource.open(config.directory, secrets.bindPassword, log);
    const progress = new ProgressReporter({
      clock,
      log: log.child({ component: 'progress' }),
      ...(options.tty === undefined ? {} : { tty: options.tty }),
      logIntervalMs: config.sync.progressSeconds * 1000,
    });
    const engine = new SyncEngine({
      config,
      installPassword: secrets.installPassword,
      db,
      client,
      directory,
      log,
      clock,
      progress,
    });
    const opened = { db, client };
    return {
      engine,
      db,
      log,
      client,
      directory,
      close: async () => {
        await directory.close();
        opened.client.close();
        opened.db.close();
        unlock();
      },
    };
  } catch (error) {
    client?.close();
    db?.close();
    unlock();
    throw error;
  }
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
