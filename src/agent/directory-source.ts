import type { Logger } from '../core/log.ts';
import { connectDirectory, type DirectoryConnection } from '../directory/connection.ts';
import { readChanges, type DeltaRead } from '../directory/delta-read.ts';
import { startScopeRead, type ScopeRead } from '../directory/scope-read.ts';
import { UsnPoller } from '../directory/usn-poller.ts';
import type { Watermark } from '../directory/watermark.ts';
import type { AgentConfig } from './config-schema.ts';

/** What the sync engine needs of the directory; the LDAP reader in production. */
export interface DirectorySource {
  /** Host name of the DC, for the agent's heartbeat. */
  readonly dcHost: string;
  readScope(): Promise<ScopeRead>;
  readChanges(since: Watermark): Promise<DeltaRead>;
  /** Starts the rootDSE poll; `onChange` runs whenever highestCommittedUSN moves. */
  startPolling(onChange: () => void): void;
  close(): Promise<void>;
}

/** The DC reached through the directory reader, with the agent's connection settings. */
export class LdapDirectorySource implements DirectorySource {
  private poller: UsnPoller | undefined;

  private constructor(
    private readonly connection: DirectoryConnection,
    private readonly scopeDn: string,
    private readonly pollMs: number,
  ) {}

  /** Connects and binds; throws the directory's UserPilot error when that fails. */
  static async open(
    config: AgentConfig['directory'],
    bindPassword: string,
    logger: Logger,
  ): Promise<LdapDirectorySource> {
    const result = await connectDirectory(
      {
        url: config.url,
        bindDn: config.bindDn,
        bindPassword,
        ...(config.caFile === undefined ? {} : { caFile: config.caFile }),
        ...(config.tlsServerName === undefined ? {} : { tlsServerName: config.tlsServerName }),
      },
      { logger },
    );
    if (!result.ok) throw result.error;
    return new LdapDirectorySource(result.connection, config.scopeDn, config.pollSeconds * 1000);
  }

  get dcHost(): string {
    return this.connection.target.host;
  }

  readScope(): Promise<ScopeRead> {
    return startScopeRead(this.connection, { scopeDn: this.scopeDn });
  }

  readChanges(since: Watermark): Promise<DeltaRead> {
    return readChanges(this.connection, this.scopeDn, since);
  }

  startPolling(onChange: () => void): void {
    this.poller = new UsnPoller(this.connection, { intervalMs: this.pollMs, onChange });
    this.poller.start();
  }

  async close(): Promise<void> {
    this.poller?.stop();
    await this.connection.close();
  }
}
