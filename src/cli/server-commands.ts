import { join } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../core/log.ts';
import { HostedService } from '../hosted/index.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { initServer, type InitServerResult } from '../server/init.ts';
import { readServerConfig, redactDatabaseUrl, resolveDataPath } from '../server/server-config.ts';
import { mailboxSignInPlugin } from '../server/mailbox-signin/plugin.ts';
import { panelServerPlugin } from '../server/panel/plugin.ts';
import { scimServerPlugin } from '../server/scim/routes/plugin.ts';
import { startServer } from '../server/start.ts';
import { openStore } from '../store/store.ts';

/** The default service folder: `$USERPILOT_DATA/server`, else `.data/server` in the repository. */
export function defaultServerDir(): string {
  const data = process.env.USERPILOT_DATA ?? join(import.meta.dirname, '..', '..', '.data');
  return join(data, 'server');
}

const dataOption = [
  '--data <dir>',
  'data folder of the service (server.json, SQLite store, TLS files)',
  defaultServerDir(),
] as const;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Registers `userpilot server init|start|rotate-install-password`. */
export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('Run the hosted UserPilot service.');
  registerInit(server);
  registerStart(server);
  registerRotate(server);
}

interface InitFlags {
  data: string;
  database?: string;
  hostname?: string;
  listen?: string;
  tenant: string;
  operator: string;
  admin: string;
  cert?: string;
  key?: string;
  json?: boolean;
}

function registerInit(server: Command): void {
  server
    .command('init')
    .description('Create the data folder, the store, the first operator and tenant, and TLS files.')
    .option(...dataOption)
    .option('--database <url>', 'postgres:// URL of the store (default: a SQLite file in --data)')
    .option('--hostname <name>', 'host name agents use; added to the lab certificate')
    .option('--listen <ip:port>', 'address `server start` listens on', '127.0.0.1:8443')
    .option('--tenant <name>', 'name of the first tenant', 'Example')
    .option('--operator <user>', 'user name of the first provider operator', 'operator')
    .option('--admin <user>', "user name of the first tenant's admin", 'admin')
    .option('--cert <file>', 'PEM certificate to serve instead of a self-signed lab one')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: InitFlags) => {
      const logger = createLogger({ level: 'warn' });
      const result = await initServer({
        dataDir: flags.data,
        tenantName: flags.tenant,
        operatorName: flags.operator,
        adminName: flags.admin,
        logger,
        ...(flags.database === undefined ? {} : { database: flags.database }),
        ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
        ...(flags.listen === undefined ? {} : { listen: flags.listen }),
        ...(flags.cert === undefined ? {} : { certFile: flags.cert }),
        ...(flags.key === undefined ? {} : { keyFile: flags.key }),
      });
      const shown = { ...result, database: redactDatabaseUrl(result.database) };
      print(flags.json === true ? JSON.stringify(shown, null, 2) : formatInit(shown));
    });
}

function formatInit(result: InitServerResult): string {
  const tls = result.tls;
  return [
    `UserPilot service initialized in ${result.dataDir}`,
    `  Store                      ${result.database}`,
    `  Provider operator          ${result.operator.username}  password ${result.operator.password}`,
    `  Tenant                     ${result.tenant.name} (${result.tenant.id})`,
    `  Tenant admin               ${result.admin.username}  password ${result.admin.password}`,
    `  Agent install credentials  ${result.agentInstall.user}  password ${result.agentInstall.password}`,
    `  TLS certificate            ${join(result.dataDir, tls.certFile)}${tls.selfSigned ? ' (self-signed, for labs)' : ''}`,
    `  SHA-256 fingerprint        ${tls.fingerprintSha256}`,
    '',
    'The passwords are shown only this once and stored only as hashes. A lost install password',
    'is replaced with `userpilot server rotate-install-password`.',
    `Start the service with: userpilot server start --data ${result.dataDir}`,
  ].join('\n');
}

interface StartFlags {
  data: string;
  listen?: string;
  insecureHttp?: boolean;
}

function registerStart(server: Command): void {
  server
    .command('start')
    .description('Serve the agent API (and the other parts) until stopped with SIGINT or SIGTERM.')
    .option(...dataOption)
    .option('--listen <ip:port>', 'address to listen on (default: listen in server.json)')
    .option('--insecure-http', 'serve plain HTTP; allowed only on a loopback address')
    .action(async (flags: StartFlags) => {
      const logger = createLogger();
      // Listening for the signals first: one that arrives while the server starts still
      // stops it cleanly instead of killing the process.
      const stopRequested = waitForStopSignal();
      const running = await startServer({
        dataDir: flags.data,
        logger,
        insecureHttp: flags.insecureHttp === true,
        ...(flags.listen === undefined ? {} : { listen: flags.listen }),
        plugins: (context) => [
          panelServerPlugin(context),
          mailboxSignInPlugin(context),
          scimServerPlugin(context),
        ],
      });
      print(`UserPilot service listening on ${running.url}`);
      await stopRequested;
      await running.close();
    });
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface RotateFlags {
  data: string;
  tenant?: string;
  json?: boolean;
}

function registerRotate(server: Command): void {
  server
    .command('rotate-install-password')
    .description("Replace a tenant's agent install password; registered agents keep working.")
    .option(...dataOption)
    .option('--tenant <name>', 'tenant name (default: the only tenant)')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: RotateFlags) => {
      const config = readServerConfig(flags.data);
      const store = await openStore({ url: resolveDataPath(flags.data, config.database) });
      try {
        const service = new HostedService({ store, logger: createLogger({ level: 'warn' }) });
        const tenant = await findTenant(service, flags.tenant);
        const install = await service.agents.rotateInstallPassword(tenant.id, { kind: 'system' });
        const result = { tenant: tenant.name, user: install.user, password: install.password };
        print(
          flags.json === true
            ? JSON.stringify(result, null, 2)
            : `New agent install password of ${tenant.name}: user ${install.user}  password ` +
                `${install.password}\nIt is shown only this once. Registered agents keep working.`,
        );
      } finally {
        await store.close();
      }
    });
}

/** Finds a tenant by name, or the only tenant when no name is given. */
export async function findTenant(service: HostedService, name: string | undefined) {
  if (name !== undefined) {
    const tenant = await service.tenants.getByName(name);
    if (tenant !== null) return tenant;
    throw new UserPilotError('UP_SERVER_TENANT_NOT_FOUND', `No tenant is named "${name}".`, {
      hint: 'Check the spelling; names are compared case-insensitively.',
      details: { tenant: name },
    });
  }
  const tenants = await service.tenants.list();
  if (tenants.length === 1 && tenants[0] !== undefined) return tenants[0];
  throw new UserPilotError(
    'UP_SERVER_TENANT_NOT_FOUND',
    `The store has ${tenants.length} tenants, so --tenant is required.`,
    { hint: 'Pass --tenant NAME.', details: { tenants: tenants.map((tenant) => tenant.name) } },
  );
}
