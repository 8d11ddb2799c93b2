import { input, password as passwordPrompt } from '@inquirer/prompts';
import type { Command } from 'commander';
import { agentFacts, storeIdentity } from '../agent/agent-identity.ts';
import { createAgentLogger } from '../agent/agent-log.ts';
import { defaultConfigPath } from '../agent/config.ts';
import { checkDirectoryAccess, connectForSetup } from '../agent/setup/directory-check.ts';
import { pickScopeInteractively } from '../agent/setup/ou-picker.ts';
import {
  readSecretFlags,
  readStdinOnce,
  type SecretFlags,
  type SetupSecret,
} from '../agent/setup/setup-secrets.ts';
import { installAgentUnit, systemdRuns } from '../agent/setup/systemd.ts';
import { writeAgentConfigFile, type SetupResult } from '../agent/setup/write-config.ts';
import { ServiceClient } from '../agent/service-client.ts';
import { openStateDatabase } from '../agent/state-db.ts';
import { ServiceTransport } from '../agent/transport.ts';
import { systemClock } from '../core/clock.ts';
import type { DirectoryConnection } from '../directory/connection.ts';
import { readRootDse } from '../directory/root-dse.ts';
import { isUserPilotError, UserPilotError } from '../protocol/errors.ts';

interface SetupFlags {
  config: string;
  stateDir: string;
  serviceUrl?: string;
  installUser?: string;
  installPasswordFile?: string;
  installPasswordEnv?: string;
  installPasswordStdin?: boolean;
  serviceCaFile?: string;
  serviceFingerprint?: string;
  proxy?: string;
  dcUrl?: string;
  bindDn?: string;
  bindPasswordFile?: string;
  bindPasswordEnv?: string;
  bindPasswordStdin?: boolean;
  dcCaFile?: string;
  dcTlsServerName?: string;
  scope?: string;
  nonInteractive?: boolean;
  systemd: boolean;
}

type Service = SetupResult['service'];
type Directory = Omit<SetupResult['directory'], 'scopeDn'>;

const maxAttempts = 3;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Asks for a value unless a flag gave it; unattended runs must give every value. */
async function ask(
  flags: SetupFlags,
  given: string | undefined,
  flag: string,
  message: string,
): Promise<string> {
  if (given !== undefined) return given;
  if (flags.nonInteractive === true) {
    throw new UserPilotError('UP_AGENT_SETUP_INVALID', `--${flag} is missing.`, {
      hint: 'Unattended setup needs every option; see `userpilot setup --help`.',
    });
  }
  return input({ message, required: true });
}

async function askSecret(
  flags: SetupFlags,
  secret: SetupSecret | undefined,
  flag: string,
  message: string,
): Promise<SetupSecret> {
  if (secret !== undefined) return secret;
  if (flags.nonInteractive === true) {
    throw new UserPilotError('UP_AGENT_SETUP_INVALID', `The ${flag} is missing.`, {
      hint: `Give it with --${flag}-file, --${flag}-env or --${flag}-stdin.`,
    });
  }
  const value = await passwordPrompt({ message, mask: true });
  return { value, source: value };
}

/** Retries a step interactively after a failure the admin can fix; unattended runs fail at once. */
async function withRetries<T>(flags: SetupFlags, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (flags.nonInteractive === true || attempt >= maxAttempts || !isUserPilotError(error))
        throw error;
      say(`userpilot: ${error.toLine()}`);
    }
  }
}

async function setupService(
  flags: SetupFlags,
  secrets: { install?: SetupSecret },
): Promise<Service> {
  const url = await ask(flags, flags.serviceUrl, 'service-url', 'Service URL (https://...)');
  const installUser = await ask(
    flags,
    flags.installUser,
    'install-user',
    'Agent install user name',
  );
  const installPassword = await askSecret(
    flags,
    secrets.install,
    'install-password',
    'Agent install password',
  );
  const trust = {
    ...(flags.serviceCaFile === undefined ? {} : { caFile: flags.serviceCaFile }),
    ...(flags.serviceFingerprint === undefined ? {} : { fingerprint: flags.serviceFingerprint }),
  };
  const transport = new ServiceTransport({
    url,
    trust,
    ...(flags.proxy === undefined ? {} : { proxy: flags.proxy }),
    timeoutMs: 30_000,
  });
  const client = new ServiceClient(transport, systemClock);
  try {
    // Signing in checks URL, trust, password and clock at once and registers this agent.
    const identity = await client.signIn(
      installUser,
      installPassword.value,
      agentFacts(flags.dcUrl ?? 'unknown'),
    );
    const db = openStateDatabase(flags.stateDir);
    storeIdentity(db, identity);
    db.close();
    say(`Service checked: signed in to ${url} as agent ${identity.agentId}.`);
  } finally {
    client.close();
  }
  return {
    url,
    installUser,
    installPassword: installPassword.source,
    ...trust,
    ...(flags.proxy === undefined ? {} : { proxy: flags.proxy }),
  };
}

async function setupDirectory(
  flags: SetupFlags,
  secrets: { bind?: SetupSecret },
): Promise<{ directory: Directory; connection: DirectoryConnection }> {
  const url = await ask(flags, flags.dcUrl, 'dc-url', 'Domain controller URL (ldaps://HOST:636)');
  const bindDn = await ask(flags, flags.bindDn, 'bind-dn', 'Sync account (DN or user@realm)');
  const bindPassword = await askSecret(
    flags,
    secrets.bind,
    'bind-password',
    'Sync account password',
  );
  const caFile =
    flags.dcCaFile ??
    (flags.nonInteractive === true
      ? undefined
      : (await input({ message: "CA file of the DC's certificate (empty for the system CAs)" })) ||
        undefined);
  const logger = createAgentLogger({
    level: 'warn',
    syslog: { mode: 'off', loggerPath: '/usr/bin/logger' },
  });
  const connection = await connectForSetup(
    {
      url,
      bindDn,
      bindPassword: bindPassword.value,
      ...(caFile === undefined ? {} : { caFile }),
      ...(flags.dcTlsServerName === undefined ? {} : { tlsServerName: flags.dcTlsServerName }),
    },
    logger,
  );
  say(`Directory checked: bound to ${url} as ${bindDn}.`);
  const directory: Directory = {
    url,
    bindDn,
    bindPassword: bindPassword.source,
    ...(caFile === undefined ? {} : { caFile }),
    ...(flags.dcTlsServerName === undefined ? {} : { tlsServerName: flags.dcTlsServerName }),
  };
  return { directory, connection };
}

async function setupScope(
  flags: SetupFlags,
  connection: DirectoryConnection,
  account: string,
): Promise<string> {
  let scopeDn = flags.scope;
  if (scopeDn === undefined) {
    if (flags.nonInteractive === true)
      throw new UserPilotError('UP_AGENT_SETUP_INVALID', '--scope is missing.');
    const root = await readRootDse(connection, ['defaultNamingContext']);
    scopeDn = await pickScopeInteractively(connection, String(root.defaultNamingContext));
  }
  await checkDirectoryAccess(connection, scopeDn, account);
  say(`Scope checked: ${scopeDn} is an OU the sync account can read, deleted objects included.`);
  return scopeDn;
}

async function runSetup(flags: SetupFlags): Promise<void> {
  const stdin = readStdinOnce();
  const env = process.env;
  const install = readSecretFlags(
    'install password',
    secretFlags(flags.installPasswordFile, flags.installPasswordEnv, flags.installPasswordStdin),
    env,
    stdin,
  );
  const bind = readSecretFlags(
    'bind password',
    secretFlags(flags.bindPasswordFile, flags.bindPasswordEnv, flags.bindPasswordStdin),
    env,
    stdin,
  );

  const service = await withRetries(flags, () =>
    setupService(flags, install === undefined ? {} : { install }),
  );
  const { directory, connection } = await withRetries(flags, () =>
    setupDirectory(flags, bind === undefined ? {} : { bind }),
  );
  try {
    const scopeDn = await withRetries(flags, () => setupScope(flags, connection, directory.bindDn));
    writeAgentConfigFile(
      flags.config,
      { stateDir: flags.stateDir, service, directory: { ...directory, scopeDn } },
      env,
    );
    say(`Configuration written to ${flags.config} (mode 0600).`);
  } finally {
    await connection.close();
  }
  finishInstall(flags);
}

function secretFlags(
  file: string | undefined,
  env: string | undefined,
  stdin: boolean | undefined,
): SecretFlags {
  return {
    ...(file === undefined ? {} : { file }),
    ...(env === undefined ? {} : { env }),
    ...(stdin === undefined ? {} : { stdin }),
  };
}

function finishInstall(flags: SetupFlags): void {
  const command = [process.execPath, process.argv[1] ?? 'userpilot'];
  if (flags.systemd && systemdRuns()) {
    const unit = installAgentUnit(command, flags.config);
    say(
      `Installed and started the systemd unit ${unit}; follow it with: journalctl -t userpilot -f`,
    );
    return;
  }
  say('systemd does not run here (no /run/systemd/system). Start the agent with:');
  say(`  userpilot agent run --config ${flags.config}`);
  say('and keep it running with your service manager.');
}

/** Registers `userpilot setup`, interactive by default, unattended with --non-interactive. */
export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'Configure this agent: service, directory connection and sync scope, each checked at once.',
    )
    .option('--config <file>', 'configuration file to write', defaultConfigPath)
    .option('--state-dir <dir>', "the agent's state folder", '/var/lib/userpilot')
    .option('--service-url <url>', 'URL of the hosted UserPilot service')
    .option('--install-user <name>', 'agent install user name')
    .option('--install-password-file <file>', 'read the install password from a file (mode 0600)')
    .option(
      '--install-password-env <name>',
      'read the install password from an environment variable',
    )
    .option('--install-password-stdin', 'read the install password from standard input')
    .option('--service-ca-file <file>', "PEM file of the CA of the service's certificate")
    .option(
      '--service-fingerprint <sha256>',
      "pin the service's certificate by its SHA-256 fingerprint",
    )
    .option('--proxy <url>', 'HTTP proxy for CONNECT (default: HTTPS_PROXY)')
    .option('--dc-url <url>', 'LDAP URL of the domain controller (ldaps://HOST:636)')
    .option('--bind-dn <dn>', 'sync account, as a DN or user@realm')
    .option('--bind-password-file <file>', 'read the sync account password from a file (mode 0600)')
    .option(
      '--bind-password-env <name>',
      'read the sync account password from an environment variable',
    )
    .option('--bind-password-stdin', 'read the sync account password from standard input')
    .option('--dc-ca-file <file>', "PEM file of the CA of the DC's certificate")
    .option(
      '--dc-tls-server-name <name>',
      "name the DC's certificate must carry, when the URL holds an IP",
    )
    .option('--scope <dn>', 'DN of the OU to synchronize (else browse the OU tree)')
    .option('--non-interactive', 'ask nothing; fail on any missing option')
    .option('--no-systemd', 'do not install a systemd unit')
    .action(runSetup);
}
