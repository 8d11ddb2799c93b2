import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, ResultCodeError, type Entry } from 'ldapts';
import { UserPilotError } from '../../protocol/errors.ts';

/** The privileged LDAP socket inside Samba's private directory. */
export function privilegedSocketPath(privateDir: string): string {
  return join(privateDir, 'ldap_priv', 'ldapi');
}

/**
 * An LDAP client on Samba's privileged socket (`PRIVATE_DIR/ldap_priv/ldapi`). Samba gives
 * every connection there the system session without a bind, so secret attributes
 * (`supplementalCredentials`, `unicodePwd`) are readable. The folder `ldap_priv` has mode 0750,
 * which is the access control: the agent must run as root or in the group owning it.
 */
export class PrivilegedLdap {
  private client: Client | undefined;

  constructor(readonly socketPath: string) {}

  /** Runs one search; opens the connection first, and again after the server closed it. */
  async search(
    base: string,
    options: { scope: 'base' | 'sub'; filter: string; attributes: string[] },
  ): Promise<Entry[]> {
    const client = this.open();
    try {
      const result = await client.search(base, {
        ...options,
        explicitBufferAttributes: [
          'objectGUID',
          'invocationId',
          'supplementalCredentials',
          'unicodePwd',
        ],
      });
      return result.searchEntries;
    } catch (error) {
      // An LDAP result code comes from Samba itself. Any other error means the connection broke.
      if (error instanceof ResultCodeError) throw error;
      await this.close();
      throw this.unreachable(error);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      await client.unbind();
    } catch {
      // The socket is gone already; nothing is left to release.
    }
  }

  private open(): Client {
    if (this.client !== undefined) return this.client;
    try {
      accessSync(this.socketPath, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw this.unreachable(error);
    }
    const socketPath = this.socketPath;
    this.client = new Client({
      // ldapts needs an ldap:// URL; the host is never used, the socket replaces it.
      url: 'ldap://samba-privileged-socket',
      timeout: 30_000,
      connectTimeout: 10_000,
      createConnection: () => connect(socketPath),
    });
    return this.client;
  }

  private unreachable(error: unknown): UserPilotError {
    const cause = error instanceof Error ? error.message : String(error);
    return new UserPilotError(
      'UP_PASSWORD_STORE_UNREACHABLE',
      `Cannot read Samba's privileged LDAP socket ${this.socketPath}: ${cause}`,
      {
        hint: 'Run the agent as root on the Samba DC, check passwords.privateDir, and check that Samba runs.',
        details: { socket: this.socketPath },
        cause: error,
      },
    );
  }
}
