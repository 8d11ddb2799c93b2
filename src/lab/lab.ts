import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { componentLogger, createLogger, type Logger } from '../core/log.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { createLabCertificates } from './certificates.ts';
import type { LabFacts } from './facts.ts';
import { createGpgKey, stopGpgAgent } from './gpg.ts';
import { defaultPorts, labLayout, labNames, socketPathsFit, type LabLayout } from './layout.ts';
import { withLabLock } from './lock.ts';
import { createNamespace, deleteNamespace } from './namespace.ts';
import { stopProcess } from './processes.ts';
import { ensureLabPackages } from './packages.ts';
import { waitForLdaps } from './probe.ts';
import { provisionDomain, setPasswordPolicy } from './provision.ts';
import { createSecrets, readSecrets, writeSecrets, type LabSecrets } from './secrets.ts';
import { applyFixture } from './seed.ts';
import {
  assertPortsFree,
  runningService,
  startInsideRelay,
  startOutsideRelay,
  startSamba,
  stopServices,
} from './services.ts';
import { inspectFolder, readState, writeState, type LabState } from './state.ts';
import { createSyncAccount } from './sync-account.ts';

export interface LabUpOptions {
  dir: string;
  /** Seeds the fixture tree unless false; a seeded lab is never seeded again. */
  seed?: boolean;
  /**
   * Loopback ports for LDAPS and LDAP, recorded in lab.json for later ups. By default derived
   * from the folder path; LDAP defaults to the LDAPS port plus one.
   */
  ldapsPort?: number;
  ldapPort?: number;
  log?: Logger;
  /** How long to wait for LDAPS after starting Samba. */
  startTimeoutMs?: number;
}

/**
 * Brings the lab DC up and returns its facts: installs Samba when missing, provisions a new
 * domain into `dir` on first use, starts Samba and the relays that are not running, waits until
 * LDAPS responds and seeds the fixture. On a running lab it changes nothing. A lock file in `dir`
 * serializes concurrent callers, so only one of them provisions or starts anything.
 */
export async function labUp(options: LabUpOptions): Promise<LabFacts> {
  const layout = labLayout(options.dir);
  const log = options.log ?? componentLogger(createLogger(), 'lab');
  checkRoot();
  mkdirSync(layout.dir, { recursive: true });
  mkdirSync(layout.logDir, { recursive: true });
  mkdirSync(layout.runDir, { recursive: true });
  if (!socketPathsFit(layout)) {
    throw new UserPilotError(
      'UP_LAB_DIR_INVALID',
      `The lab folder path ${layout.dir} is too long.`,
      {
        hint: 'Choose a lab folder with a path under about 90 characters (Unix socket limit).',
      },
    );
  }

  return withLabLock(layout.lockFile, async () => {
    // Inside the lock, so two callers never run apt-get at once.
    await ensureLabPackages(log, layout.setupLog);
    const state = await ensureProvisioned(layout, options, log);
    await ensureRunning(layout, state, log, options.startTimeoutMs ?? 180_000);
    if (options.seed !== false) await applyFixture(layout, readFacts(layout), log);
    return readFacts(layout);
  });
}

/** Provisions the folder unless already done; a half-provisioned folder is removed first. */
async function ensureProvisioned(
  layout: LabLayout,
  options: LabUpOptions,
  log: Logger,
): Promise<LabState> {
  const folder = inspectFolder(layout);
  if (folder === 'provisioned') return applyRequestedPorts(layout, readState(layout), options);
  if (folder === 'half-provisioned') {
    log.warn(`lab: removing the half-provisioned lab in ${layout.dir}`);
    await stopServices(layout);
    removeLabParts(layout);
  }
  return provisionFolder(layout, options, log);
}

/** Provisions a new domain into an empty lab folder; on failure removes what it made. */
async function provisionFolder(
  layout: LabLayout,
  options: LabUpOptions,
  log: Logger,
): Promise<LabState> {
  const started = Date.now();
  log.info(`lab: provisioning a new domain in ${layout.dir}`);
  const defaults = defaultPorts(layout);
  const secrets = createSecrets();
  writeSecrets(layout.secretsFile, secrets);
  try {
    // The namespace comes first because every Samba and GPG command runs inside it. The key and
    // the certificates come before provisioning, which writes their paths into smb.conf.
    await createNamespace(layout.namespace, layout.setupLog);
    const gpgKeyId = await createGpgKey(layout.namespace, layout.gnupgHome, layout.setupLog);
    await createLabCertificates(layout, labNames.dcHostName, labNames.dnsDomain);
    await provisionDomain(layout, secrets.adminPassword, gpgKeyId);
    await setPasswordPolicy(layout);
    await createSyncAccount(layout, secrets.bindPassword);
    await stopGpgAgent(layout.namespace, layout.gnupgHome);
    const state: LabState = {
      version: 1,
      ldapsPort: options.ldapsPort ?? defaults.ldapsPort,
      ldapPort:
        options.ldapPort ??
        (options.ldapsPort === undefined ? defaults.ldapPort : options.ldapsPort + 1),
      gpgKeyId,
      provisionedAt: new Date().toISOString(),
    };
    writeState(layout, state);
    log.info({ duration_ms: Date.now() - started }, 'lab: provisioned');
    return state;
  } catch (error) {
    await stopGpgAgent(layout.namespace, layout.gnupgHome);
    removeLabParts(layout);
    throw provisionError(layout, error);
  }
}

/**
 * Moves a provisioned lab to the ports the caller asked for: the outside relay is stopped, so
 * `ensureRunning` starts it again on the new ports. Ports not asked for stay as recorded.
 */
async function applyRequestedPorts(
  layout: LabLayout,
  state: LabState,
  options: LabUpOptions,
): Promise<LabState> {
  const ldapsPort = options.ldapsPort ?? state.ldapsPort;
  const ldapPort = options.ldapPort ?? state.ldapPort;
  if (ldapsPort === state.ldapsPort && ldapPort === state.ldapPort) return state;
  const outside = runningService(layout, 'relay-outside');
  if (outside !== undefined) await stopProcess(outside);
  const moved = { ...state, ldapsPort, ldapPort };
  writeState(layout, moved);
  return moved;
}

/** Starts whatever of Samba and the two relays is not running, then waits for LDAPS. */
async function ensureRunning(
  layout: LabLayout,
  state: LabState,
  log: Logger,
  startTimeoutMs: number,
): Promise<void> {
  if (runningService(layout, 'relay-outside') === undefined) await assertPortsFree(layout, state);
  await createNamespace(layout.namespace, layout.setupLog);
  // Samba starts first, so the inside relay has a target once a client connects. The outside
  // relay starts last because only it is visible to clients.
  if (runningService(layout, 'samba') === undefined) {
    const record = startSamba(layout);
    log.info(`lab: started samba (PID ${record.pid})`);
  }
  if (runningService(layout, 'relay-inside') === undefined) await startInsideRelay(layout);
  if (runningService(layout, 'relay-outside') === undefined) {
    await startOutsideRelay(layout, state);
  }
  const facts = readFacts(layout);
  const target = { ...facts, logFile: layout.sambaLog, outputFile: layout.sambaOut };
  await waitForLdaps(target, startTimeoutMs, () => runningService(layout, 'samba') !== undefined);
}

/** Reads the facts of a provisioned lab folder; the PIDs are set only for running processes. */
export function readFacts(dir: string | LabLayout): LabFacts {
  const layout = typeof dir === 'string' ? labLayout(dir) : dir;
  const state = readState(layout);
  const secrets = readSecrets(layout.secretsFile) as LabSecrets;
  const samba = runningService(layout, 'samba');
  const relays = (['relay-inside', 'relay-outside'] as const).flatMap((service) => {
    const record = runningService(layout, service);
    return record === undefined ? [] : [record.pid];
  });
  const upn = (name: string) => `${name}@${labNames.dnsDomain}`;
  return {
    dir: layout.dir,
    realm: labNames.realm,
    domain: labNames.domain,
    dcHostName: labNames.dcHostName,
    ldapsUrl: `ldaps://127.0.0.1:${state.ldapsPort}`,
    ldapUrl: `ldap://127.0.0.1:${state.ldapPort}`,
    caFile: layout.caFile,
    baseDn: labNames.baseDn,
    scopeDn: `OU=Staff,${labNames.baseDn}`,
    bindDn: `CN=${labNames.syncAccount},CN=Users,${labNames.baseDn}`,
    bindUpn: upn(labNames.syncAccount),
    bindPassword: secrets.bindPassword,
    adminDn: `CN=Administrator,CN=Users,${labNames.baseDn}`,
    adminUpn: upn('Administrator'),
    adminPassword: secrets.adminPassword,
    mailDomain: labNames.mailDomain,
    unregisteredDomain: labNames.unregisteredDomain,
    logFile: layout.sambaLog,
    namespace: layout.namespace,
    ldapsPort: state.ldapsPort,
    ldapPort: state.ldapPort,
    gnupgHome: layout.gnupgHome,
    gpgKeyId: state.gpgKeyId,
    seeded: existsSync(layout.seededFile),
    userPasswords: secrets.userPasswords,
    ...(samba === undefined ? {} : { sambaPid: samba.pid }),
    ...(relays.length === 0 ? {} : { relayPids: relays }),
  };
}

export interface LabDownOptions {
  dir: string;
  /** Also deletes the lab folder. */
  purge?: boolean;
}

/** Stops Samba and the relays by PID, waits until every lab process is gone, deletes the namespace. */
export async function labDown(options: LabDownOptions): Promise<void> {
  const layout = labLayout(options.dir);
  checkRoot();
  if (!existsSync(layout.dir)) return;
  await withLabLock(layout.lockFile, async () => {
    await stopServices(layout);
    await stopGpgAgent(layout.namespace, layout.gnupgHome);
    await deleteNamespace(layout.namespace, layout.setupLog);
    if (options.purge === true) removeLabParts(layout);
  });
  if (options.purge === true) rmSync(layout.dir, { recursive: true, force: true });
}

export type LabStatus =
  | { state: 'absent' | 'half-provisioned'; dir: string }
  | { state: 'running' | 'stopped' | 'degraded'; dir: string; facts: LabFacts };

/** Reports whether the lab in `dir` is provisioned and which of its processes run. */
export function labStatus(dir: string): LabStatus {
  const layout = labLayout(dir);
  const folder = inspectFolder(layout);
  if (folder === 'empty') return { state: 'absent', dir: layout.dir };
  if (folder === 'half-provisioned') return { state: 'half-provisioned', dir: layout.dir };
  const facts = readFacts(layout);
  const running = (facts.sambaPid === undefined ? 0 : 1) + (facts.relayPids?.length ?? 0);
  let state: 'running' | 'stopped' | 'degraded' = 'degraded';
  if (running === 3) state = 'running';
  if (running === 0) state = 'stopped';
  return { state, dir: layout.dir, facts };
}

/** Removes what provisioning makes; the logs stay, so a failure can still be read. */
function removeLabParts(layout: LabLayout): void {
  const parts = [
    layout.stateFile,
    layout.seededFile,
    layout.sambaDir,
    layout.tlsDir,
    layout.gnupgHome,
    layout.secretsFile,
  ];
  for (const path of parts) rmSync(path, { recursive: true, force: true });
}

function checkRoot(): void {
  if (process.getuid?.() === 0) return;
  throw new UserPilotError(
    'UP_LAB_NOT_ROOT',
    'The lab needs root to create its network namespace.',
    {
      hint: 'Run the lab command as root (for example with sudo).',
    },
  );
}

function provisionError(layout: LabLayout, error: unknown): UserPilotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new UserPilotError(
    'UP_LAB_PROVISION_FAILED',
    `Provisioning the lab in ${layout.dir} failed: ${reason}`,
    {
      hint: `Read ${layout.setupLog}; the half-made lab was removed, so \`userpilot lab up\` starts clean.`,
      details: { logFile: layout.setupLog },
      cause: error,
    },
  );
}
