import { InvalidCredentialsError, StrongAuthRequiredError, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindError, bindSubCode, connectionError } from '../../src/directory/connection-errors.ts';
import { backoffDelay, parseDirectoryUrl } from '../../src/directory/connection-options.ts';
import { connectDirectory } from '../../src/directory/connection.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  adminClient,
  createOu,
  createUser,
  deleteTree,
  memoryLogger,
  syncAccountOptions,
  uniqueName,
} from './lab-directory.ts';

const adDiagnostic = (data: string): string =>
  `80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data ${data}, v4563`;

describe('bind error decoding', () => {
  it.each([
    ['52e', 'UP_DIRECTORY_BAD_PASSWORD', /Password is incorrect/],
    ['525', 'UP_DIRECTORY_USER_NOT_FOUND', /does not exist/],
    ['530', 'UP_DIRECTORY_LOGON_HOURS', /at this time/],
    ['532', 'UP_DIRECTORY_PASSWORD_EXPIRED', /password has expired/],
    ['533', 'UP_DIRECTORY_ACCOUNT_DISABLED', /disabled/],
    ['701', 'UP_DIRECTORY_ACCOUNT_EXPIRED', /has expired/],
    ['773', 'UP_DIRECTORY_PASSWORD_MUST_CHANGE', /must change its password/],
    ['775', 'UP_DIRECTORY_ACCOUNT_LOCKED', /locked out/],
    ['52E', 'UP_DIRECTORY_BAD_PASSWORD', /Password is incorrect/],
    ['999', 'UP_DIRECTORY_INVALID_CREDENTIALS', /rejected the credentials/],
  ])('decodes sub-code %s', (subCode, code, message) => {
    const error = bindError(new InvalidCredentialsError(adDiagnostic(subCode)), 'sync@lab.test');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('sync@lab.test');
    expect(error.hint).toBeDefined();
  });

  it('reads the sub-code from the diagnostic', () => {
    expect(bindSubCode(adDiagnostic('775'))).toBe('775');
    expect(bindSubCode('invalid credentials')).toBeUndefined();
  });

  it('treats other bind results as bind failures', () => {
    const error = bindError(
      new StrongAuthRequiredError('BindSimple: Transport encryption required.'),
      'x',
    );
    expect(error.code).toBe('UP_DIRECTORY_BIND_FAILED');
    expect(error.message).toMatch(/LDAP result 8/);
  });

  it.each([
    [
      'refused',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'UP_DIRECTORY_UNREACHABLE',
    ],
    ['timeout', new Error('Connection timeout'), 'UP_DIRECTORY_CONNECT_TIMEOUT'],
    [
      'unknown CA',
      Object.assign(new Error('unable to verify'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      'UP_DIRECTORY_TLS_FAILED',
    ],
    [
      'closed',
      new Error('Connection closed before message response was received.'),
      'UP_DIRECTORY_CONNECTION_LOST',
    ],
    [
      'operation timeout',
      new Error('SearchRequest: Operation timed out'),
      'UP_DIRECTORY_OPERATION_TIMEOUT',
    ],
  ])('maps a %s failure', (_name, error, code) => {
    expect(connectionError(error, '127.0.0.1:636').code).toBe(code);
  });
});

describe('connection options', () => {
  it.each([
    ['ldaps default port', 'ldaps://127.0.0.1', true, '127.0.0.1', 636],
    ['ldap default port', 'ldap://127.0.0.1', false, '127.0.0.1', 389],
    ['explicit port', 'ldaps://127.0.0.1:30636/', true, '127.0.0.1', 30636],
    ['IPv6', 'ldap://[::1]:1389', false, '::1', 1389],
  ])('parses %s', (_name, url, secure, host, port) => {
    expect(parseDirectoryUrl(url)).toMatchObject({ secure, host, port });
  });

  it.each([
    ['http scheme', 'http://127.0.0.1'],
    ['not a URL', 'dc01'],
    ['a base DN path', 'ldap://127.0.0.1/DC=lab,DC=test'],
  ])('rejects %s', (_name, url) => {
    expect(() => parseDirectoryUrl(url)).toThrow(/Invalid directory URL/);
  });

  it('keeps credentials in a URL out of the message', () => {
    expect(() => parseDirectoryUrl('ldaps://sync:S3cret@127.0.0.1')).toThrow(/^(?!.*S3cret)/);
  });

  it('rejects StartTLS on an ldaps URL', async () => {
    const options = { url: 'ldaps://127.0.0.1', startTls: true, bindDn: 'x', bindPassword: 'y' };
    const result = await connectDirectory(options, { logger: memoryLogger().logger });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('UP_DIRECTORY_URL_INVALID');
  });

  it('doubles the backoff up to its cap', () => {
    const policy = { attempts: 6, initialDelayMs: 1000, maxDelayMs: 5000 };
    expect([2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it('retries an unreachable DC with backoff', async () => {
    const { logger, lines } = memoryLogger();
    const delays: number[] = [];
    const result = await connectDirectory(
      {
        url: 'ldaps://127.0.0.1:1',
        bindDn: 'x',
        bindPassword: 'not-logged',
        retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 100 },
      },
      { logger, sleep: (ms) => Promise.resolve(void delays.push(ms)) },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('UP_DIRECTORY_UNREACHABLE');
    expect(delays).toEqual([10, 20]);
    expect(lines().filter((line) => line.attempt !== undefined)).toHaveLength(2);
    expect(JSON.stringify(lines())).not.toContain('not-logged');
  });
});

describeLab('connection to the lab DC', () => {
  let facts: LabFacts;
  let admin: Client;
  let ouDn: string;

  beforeAll(async () => {
    facts = labFacts();
    admin = await adminClient(facts);
    ouDn = await createOu(admin, uniqueName('ConnectionTest'), facts.baseDn);
  });

  afterAll(async () => {
    await deleteTree(admin, ouDn);
    await admin.unbind();
  });

  it('binds over LDAPS with a DN and with a UPN', async () => {
    for (const bindDn of [facts.bindDn, facts.bindUpn]) {
      const result = await connectDirectory(
        { ...syncAccountOptions(facts), bindDn },
        { logger: memoryLogger().logger },
      );
      expect(result.ok, bindDn).toBe(true);
      if (result.ok) await result.connection.close();
    }
  });

  it('binds after StartTLS', async () => {
    const { logger, lines } = memoryLogger();
    const options = { ...syncAccountOptions(facts), url: facts.ldapUrl, startTls: true };
    const result = await connectDirectory(options, { logger });
    expect(result.ok).toBe(true);
    if (result.ok) {
      const found = await result.connection.search('', {
        scope: 'base',
        attributes: ['dnsHostName'],
      });
      expect(found.searchEntries).toHaveLength(1);
      await result.connection.close();
    }
    expect(lines().some((line) => line.starttls === true)).toBe(true);
  });

  it('rejects a wrong password with 52e', async () => {
    const { logger, lines } = memoryLogger();
    const options = { ...syncAccountOptions(facts), bindPassword: `${facts.bindPassword}-wrong` };
    const result = await connectDirectory(options, { logger });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UP_DIRECTORY_BAD_PASSWORD');
    expect(result.error.details.sub_code).toBe('52e');
    expect(result.error.message).toContain('Password is incorrect');
    expect(JSON.stringify(lines())).not.toContain(facts.bindPassword);
    expect(result.error.message).not.toContain(facts.bindPassword);
  });

  it('reports a locked account with 775', async () => {
    const name = uniqueName('lock').slice(0, 20);
    const password = `Lock-${name}-Aa1!`;
    await createUser(admin, ouDn, {
      cn: name,
      sAMAccountName: name,
      password,
      attributes: { userPrincipalName: `${name}@${facts.mailDomain}` },
    });
    const codes: string[] = [];
    // The lab's lockout threshold is 5 bad passwords; the sixth attempt meets a locked account.
    for (let attempt = 0; attempt < 7; attempt += 1) {
      const result = await connectDirectory(
        {
          ...syncAccountOptions(facts),
          bindDn: `${name}@${facts.mailDomain}`,
          bindPassword: 'wrong-Aa1!',
        },
        { logger: memoryLogger().logger },
      );
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UP_DIRECTORY_BAD_PASSWORD'));
    expect(codes.at(-1)).toBe('UP_DIRECTORY_ACCOUNT_LOCKED');
    const right = await connectDirectory(
      {
        ...syncAccountOptions(facts),
        bindDn: `${name}@${facts.mailDomain}`,
        bindPassword: password,
      },
      { logger: memoryLogger().logger },
    );
    expect(right.ok).toBe(false);
    if (!right.ok) expect(right.error.message).toContain('locked out');
  });

  it('rejects an untrusted certificate with its reason', async () => {
    const options = { ...syncAccountOptions(facts) };
    delete options.caFile;
    const result = await connectDirectory(options, { logger: memoryLogger().logger });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UP_DIRECTORY_TLS_FAILED');
    expect(result.error.message).toMatch(/unknown authority|untrusted|issuer/);
    expect(result.error.message).toMatch(/CN=/);
  });

  it('rejects a certificate for another name', async () => {
    const options = { ...syncAccountOptions(facts), tlsServerName: 'not-the-dc.userpilot.test' };
    const result = await connectDirectory(options, { logger: memoryLogger().logger });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/does not name the host/);
  });

  it('warns at every connect when verification is off', async () => {
    const { logger, lines } = memoryLogger();
    const options = { ...syncAccountOptions(facts), insecureSkipVerify: true };
    delete options.caFile;
    for (let round = 0; round < 2; round += 1) {
      const result = await connectDirectory(options, { logger });
      expect(result.ok).toBe(true);
      if (result.ok) await result.connection.close();
    }
    const warnings = lines().filter(
      (line) => line.level === 'warn' && String(line.msg).includes('verification is off'),
    );
    expect(warnings).toHaveLength(2);
  });

  it('connects again after the connection closed', async () => {
    const { logger, lines } = memoryLogger();
    const result = await connectDirectory(syncAccountOptions(facts), { logger });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const connection = result.connection;
    const client = (connection as unknown as { client: Client }).client;
    await client.unbind();
    const found = await connection.search('', { scope: 'base', attributes: ['dnsHostName'] });
    expect(found.searchEntries).toHaveLength(1);
    expect(lines().some((line) => String(line.msg).includes('connecting again'))).toBe(true);
    await connection.close();
  });
});
