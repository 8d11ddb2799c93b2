import { systemClock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { AgentConfig } from '../config-schema.ts';
import { Outbox } from '../outbox.ts';
import type { StateDatabase } from '../state-db.ts';
import type { PasswordCaptureConfig } from './capture-config.ts';
import { CaptureState } from './capture-state.ts';
import { gpgDecrypt } from './gpg-decrypt.ts';
import { loadOrCreateOutboxKey, outboxKeyPath } from './outbox-key.ts';
import { PasswordCapture } from './password-capture.ts';
import { PasswordSender, requireHttps, type PasswordClient } from './password-sender.ts';
import { PasswordSync } from './password-sync.ts';
import { PrivilegedLdap, privilegedSocketPath } from './privileged-socket.ts';

export interface PasswordSyncSetup {
  capture: PasswordCaptureConfig;
  /** The agent's state folder; the outbox key file lives there. */
  stateDir: string;
  scopeDn: string;
  retryMaxSeconds: number;
  db: StateDatabase;
  outbox: { enqueuePassword(anchor: string, sealed: string): number } & ConstructorParameters<
    typeof PasswordSender
  >[0];
  client: PasswordClient;
  logger: Logger;
}

/**
 * Assembles password capture and delivery from the agent's parts. Checks at start what can be
 * checked (an https:// service URL, a safe key file), so a wrong setup fails at once instead
 * of at the first password change.
 */
export function createPasswordSync(setup: PasswordSyncSetup): {
  sync: PasswordSync;
  close: () => Promise<void>;
} {
  requireHttps(setup.client.url);
  const key = loadOrCreateOutboxKey(outboxKeyPath(setup.stateDir));
  const ldap = new PrivilegedLdap(privilegedSocketPath(setup.capture.privateDir));
  const capture = new PasswordCapture({
    ldap,
    scopeDn: setup.scopeDn,
    decrypt: (ciphertext) => gpgDecrypt(ciphertext, { gnupgHome: setup.capture.gnupgHome }),
    key,
    state: new CaptureState(setup.db),
    outbox: setup.outbox,
    logger: setup.logger,
  });
  const sender = new PasswordSender(setup.outbox, setup.client, key, setup.logger);
  const sync = new PasswordSync({
    capture,
    sender,
    pollMs: setup.capture.pollSeconds * 1000,
    retryMaxMs: setup.retryMaxSeconds * 1000,
    logger: setup.logger,
  });
  return {
    sync,
    close: async () => {
      await sync.stop();
      await ldap.close();
    },
  };
}

/**
 * Starts password capture and delivery when the configuration enables it; returns its close
 * function, or undefined when capture is off. The sync engine signs the shared client in; a
 * delivery attempted before that fails once and is retried.
 */
export function startConfiguredPasswordSync(
  config: Pick<AgentConfig, 'passwords' | 'stateDir' | 'directory' | 'sync'>,
  parts: { db: StateDatabase; client: PasswordClient; logger: Logger },
): (() => Promise<void>) | undefined {
  if (!config.passwords.enabled) return undefined;
  const { sync, close } = createPasswordSync({
    capture: config.passwords,
    stateDir: config.stateDir,
    scopeDn: config.directory.scopeDn,
    retryMaxSeconds: config.sync.retryMaxSeconds,
    db: parts.db,
    outbox: new Outbox(parts.db, systemClock),
    client: parts.client,
    logger: parts.logger,
  });
  sync.start();
  parts.logger.info(
    { component: 'password-sync', private_dir: config.passwords.privateDir },
    'password capture started',
  );
  return close;
}
