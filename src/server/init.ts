import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { HostedService, type PasswordHasher } from '../hosted/index.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { openStore } from '../store/store.ts';
import { parseListenAddress } from './listen-address.ts';
import {
  readServerConfig,
  resolveDataPath,
  serverConfigFile,
  writeServerConfig,
  type ServerConfig,
} from './server-config.ts';
import { certificateFingerprint, createLabCertificate } from './tls-certificate.ts';

export interface InitServerOptions {
  dataDir: string;
  /** A postgres:// URL; a SQLite file in the data folder when unset. */
  database?: string;
  /** Host name for the lab certificate's subjectAltName; this machine's name when unset. */
  hostname?: string;
  listen?: string;
  tenantName?: string;
  operatorName?: string;
  adminName?: string;
  /** An existing certificate and key to use instead of a self-signed lab certificate. */
  certFile?: string;
  keyFile?: string;
  logger: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
}

/** What `server init` created. The passwords are shown once here and stored only as hashes. */
export interface InitServerResult {
  dataDir: string;
  database: string;
  listen: string;
  operator: { username: string; password: string };
  tenant: { id: string; name: string };
  admin: { username: string; password: string };
  agentInstall: { user: string; password: string };
  tls: { certFile: string; keyFile: string; selfSigned: boolean; fingerprintSha256: string };
}

const sqliteFile = 'userpilot.sqlite';

/**
 * Creates a service's data folder: the store, the first operator, the first tenant with its
 * admin and agent install credentials, and the TLS files. `server.json` is written last, so a
 * folder without it was never completely initialized.
 */
export async function initServer(options: InitServerOptions): Promise<InitServerResult> {
  const { dataDir } = options;
  if (existsSync(join(dataDir, serverConfigFile))) {
    throw new UserPilotError('UP_SERVER_DATA_EXISTS', `${dataDir} is already initialized.`, {
      hint: 'Choose another --data folder; init never overwrites a service.',
      details: { dataDir },
    });
  }
  const createdFolder = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return await initFolder(options);
  } catch (error) {
    // A half-made folder would make the next init fail on its taken names.
    // NOTE: a PostgreSQL database keeps what was written before the failure.
    if (createdFolder) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function initFolder(options: InitServerOptions): Promise<InitServerResult> {
  const { dataDir } = options;
  const clock = options.clock ?? systemClock;
  const hostname = options.hostname ?? osHostname();
  const listen = options.listen ?? '127.0.0.1:8443';
  parseListenAddress(listen);

  const tls = await prepareTls(options, hostname, clock);
  const database = options.database ?? sqliteFile;
  const accounts = await createAccounts(options, resolveDataPath(dataDir, database), clock);

  const config: ServerConfig = {
    database,
    listen,
    hostname,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
    leaseTtlSeconds: 90,
  };
  writeServerConfig(dataDir, config);
  readServerConfig(dataDir);
  return { dataDir, database, listen, ...accounts, tls };
}

async function createAccounts(
  options: InitServerOptions,
  databaseUrl: string,
  clock: Clock,
): Promise<Pick<InitServerResult, 'operator' | 'tenant' | 'admin' | 'agentInstall'>> {
  const store = await openStore({ url: databaseUrl });
  try {
    const service = new HostedService({
      store,
      clock,
      logger: options.logger,
      ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
    });
    const system = { kind: 'system' } as const;

    const operator = { username: options.operatorName ?? 'operator', password: newPassword() };
    await service.operators.create(operator);
    const tenant = await service.tenants.create({ name: options.tenantName ?? 'Example' }, system);
    const admin = { username: options.adminName ?? 'admin', password: newPassword() };
    await service.admins.create(tenant.id, admin, system);
    const install = await service.agents.createInstallCredentials(tenant.id, system);

    return {
      operator,
      tenant: { id: tenant.id, name: tenant.name },
      admin,
      agentInstall: { user: install.user, password: install.password },
    };
  } finally {
    await store.close();
  }
}

async function prepareTls(
  options: InitServerOptions,
  hostname: string,
  clock: Clock,
): Promise<InitServerResult['tls']> {
  const tlsDir = join(options.dataDir, 'tls');
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const certFile = join('tls', 'server.crt');
  const keyFile = join('tls', 'server.key');

  if (options.certFile !== undefined || options.keyFile !== undefined) {
    if (options.certFile === undefined || options.keyFile === undefined) {
      throw new UserPilotError('UP_SERVER_TLS_MISSING', 'Pass both --cert and --key, or neither.', {
        hint: 'Without them, init makes a self-signed lab certificate.',
      });
    }
    copyFileSync(options.certFile, join(options.dataDir, certFile));
    copyFileSync(options.keyFile, join(options.dataDir, keyFile));
    chmodSync(join(options.dataDir, keyFile), 0o600);
    const pem = readFileSync(join(options.dataDir, certFile), 'utf8');
    return { certFile, keyFile, selfSigned: false, fingerprintSha256: certificateFingerprint(pem) };
  }

  const lab = await createLabCertificate(hostname, clock);
  writeFileSync(join(options.dataDir, certFile), lab.certificatePem, { mode: 0o644 });
  writeFileSync(join(options.dataDir, keyFile), lab.privateKeyPem, { mode: 0o600 });
  return { certFile, keyFile, selfSigned: true, fingerprintSha256: lab.fingerprintSha256 };
}

/** A random password of 24 base64url characters (144 bits). */
function newPassword(): string {
  return randomBytes(18).toString('base64url');
}
