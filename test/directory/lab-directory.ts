import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Attribute, Change, Client } from 'ldapts';
import { createLogger, type Logger } from '../../src/core/log.ts';
import type { DirectoryConnectionOptions } from '../../src/directory/connection-options.ts';
import { connectDirectory, type DirectoryConnection } from '../../src/directory/connection.ts';
import { escapeDnValue } from '../../src/directory/dn.ts';
import type { ReadRecord, ScopeRead } from '../../src/directory/scope-read.ts';
import type { LabFacts } from '../../src/lab/facts.ts';

/** A name no other test run uses, for OUs and users this file creates. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A logger whose lines are kept in memory, so tests can assert on them. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

/** Connection options for the sync account over LDAPS with the lab CA. */
export function syncAccountOptions(facts: LabFacts): DirectoryConnectionOptions {
  return {
    url: facts.ldapsUrl,
    caFile: facts.caFile,
    bindDn: facts.bindUpn,
    bindPassword: facts.bindPassword,
    retry: { attempts: 1 },
  };
}

/** Connects as the sync account; throws the connection error if that fails. */
export async function connectAsSyncAccount(
  facts: LabFacts,
  logger: Logger = createLogger({ level: 'warn' }),
  overrides: Partial<DirectoryConnectionOptions> = {},
): Promise<DirectoryConnection> {
  const result = await connectDirectory({ ...syncAccountOptions(facts), ...overrides }, { logger });
  if (!result.ok) throw result.error;
  return result.connection;
}

/** An ldapts client bound as the lab's Administrator, for changing the directory in tests. */
export async function adminClient(facts: LabFacts): Promise<Client> {
  const client = new Client({
    url: facts.ldapsUrl,
    connectTimeout: 10000,
    timeout: 60000,
    tlsOptions: { ca: [readFileSync(facts.caFile)] },
  });
  await client.bind(facts.adminUpn, facts.adminPassword);
  return client;
}

export async function createOu(client: Client, name: string, parentDn: string): Promise<string> {
  const dn = `OU=${escapeDnValue(name)},${parentDn}`;
  await client.add(dn, { objectClass: 'organizationalUnit', ou: name });
  return dn;
}

export interface TestUser {
  cn: string;
  sAMAccountName: string;
  attributes?: Record<string, string | string[]>;
  /** Sets a password and enables the account. */
  password?: string;
}

export async function createUser(
  client: Client,
  parentDn: string,
  user: TestUser,
): Promise<string> {
  const dn = `CN=${escapeDnValue(user.cn)},${parentDn}`;
  await client.add(dn, {
    objectClass: 'user',
    sAMAccountName: user.sAMAccountName,
    userAccountControl: user.password === undefined ? '512' : '514',
    ...user.attributes,
  });
  if (user.password !== undefined) {
    const encoded = Buffer.from(`"${user.password}"`, 'utf16le');
    await client.modify(
      dn,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'unicodePwd', values: [encoded] }),
      }),
    );
    await replaceAttribute(client, dn, 'userAccountControl', '512');
  }
  return dn;
}

export async function replaceAttribute(
  client: Client,
  dn: string,
  type: string,
  value: string,
): Promise<void> {
  await client.modify(
    dn,
    new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) }),
  );
}

/** Deletes an OU and everything below it, deepest entries first. */
export async function deleteTree(client: Client, dn: string): Promise<void> {
  const result = await client.search(dn, { scope: 'sub', attributes: ['1.1'], paged: true });
  const dns = result.searchEntries.map((entry) => entry.dn);
  dns.sort((left, right) => right.length - left.length);
  for (const entryDn of dns) await client.del(entryDn).catch(() => undefined);
}

/** Consumes a full read and returns every record; decode failures are returned beside them. */
export async function readAllRecords(
  read: ScopeRead,
): Promise<{ records: ReadRecord[]; failures: number }> {
  const records: ReadRecord[] = [];
  let failures = 0;
  for await (const page of read.pages) {
    records.push(...page.records);
    failures += page.failures.length;
  }
  return { records, failures };
}

/** A TCP relay on loopback in front of the lab's LDAPS port that a test can cut. */
export class CuttableRelay {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  async start(targetPort: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Destroys every relayed connection at once, as a network failure would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
