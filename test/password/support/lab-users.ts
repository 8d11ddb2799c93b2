import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { guidFromBytes } from '../../../src/directory/guid.ts';
import { integer8TextToIso } from '../../../src/directory/integer8.ts';
import type { LabFacts } from '../../../src/lab/facts.ts';
import { labLayout } from '../../../src/lab/layout.ts';
import { inNamespace, redact, runCommand } from '../../../src/lab/command.ts';

/** A user a test created in the lab DC's sync scope. */
export interface LabUser {
  sAMAccountName: string;
  upn: string;
  dn: string;
  anchor: string;
}

/**
 * Makes a random password that meets Samba's default complexity rule (upper, lower, digit and
 * symbol). Every password is added to `issued`, so the leak checks know what to look for.
 */
export function newPassword(issued: string[]): string {
  const password = `Pw-${randomBytes(9).toString('base64url')}-7a`;
  issued.push(password);
  return password;
}

/** Encodes a password as AD expects unicodePwd: in double quotes, as UTF-16LE. */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

function ldapsClient(facts: LabFacts): Client {
  return new Client({
    url: facts.ldapsUrl,
    connectTimeout: 10_000,
    timeout: 60_000,
    tlsOptions: { ca: [readFileSync(facts.caFile)], servername: facts.dcHostName },
  });
}

async function asBound<T>(
  facts: LabFacts,
  dn: string,
  password: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = ldapsClient(facts);
  try {
    await client.bind(dn, password);
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * The sync scope of the password tests: an OU of their own outside `Staff`, so the users they
 * create never show up in the scope other test files compare with the fixture.
 */
export function passwordTestScopeDn(facts: LabFacts): string {
  return `OU=Password Tests,${facts.baseDn}`;
}

/** Creates the password tests' OU unless it exists; safe to call from several test files. */
async function ensurePasswordTestScope(client: Client, facts: LabFacts): Promise<void> {
  try {
    await client.add(passwordTestScopeDn(facts), [
      new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }),
    ]);
  } catch (error) {
    // 68 is entryAlreadyExists: another test file made it first.
    if ((error as { code?: number }).code !== 68) throw error;
  }
}

/** Makes sure the password tests' OU exists, before an agent is pointed at it. */
export async function preparePasswordTestScope(facts: LabFacts): Promise<void> {
  await asBound(facts, facts.adminDn, facts.adminPassword, (client) =>
    ensurePasswordTestScope(client, facts),
  );
}

/** Creates an enabled user in the password tests' scope, as the administrator, over LDAPS. */
export async function createLabUser(facts: LabFacts, password: string): Promise<LabUser> {
  const sAMAccountName = `pw${randomBytes(5).toString('hex')}`;
  const upn = `${sAMAccountName}@${facts.mailDomain}`;
  const dn = `CN=${sAMAccountName},${passwordTestScopeDn(facts)}`;
  return asBound(facts, facts.adminDn, facts.adminPassword, async (client) => {
    await ensurePasswordTestScope(client, facts);
    await client.add(dn, [
      new Attribute({
        type: 'objectClass',
        values: ['top', 'person', 'organizationalPerson', 'user'],
      }),
      new Attribute({ type: 'sAMAccountName', values: [sAMAccountName] }),
      new Attribute({ type: 'userPrincipalName', values: [upn] }),
      new Attribute({ type: 'displayName', values: [`Password test ${sAMAccountName}`] }),
      new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
    ]);
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      attributes: ['objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    });
    const guid = searchEntries[0]?.objectGUID;
    if (!Buffer.isBuffer(guid)) throw new Error(`${dn} has no objectGUID`);
    return { sAMAccountName, upn, dn, anchor: guidFromBytes(guid) };
  });
}

/** Resets a password as an admin would on the DC: `samba-tool user setpassword` in the lab namespace. */
export async function resetWithSambaTool(
  facts: LabFacts,
  user: LabUser,
  password: string,
): Promise<void> {
  const layout = labLayout(facts.dir);
  const [ip, args] = inNamespace(facts.namespace, { GNUPGHOME: facts.gnupgHome }, 'samba-tool', [
    'user',
    'setpassword',
    user.sAMAccountName,
    `--newpassword=${password}`,
    '-s',
    layout.smbConf,
  ]);
  const result = await runCommand(ip, args);
  if (result.code !== 0) {
    const output = redact(`${result.stdout}\n${result.stderr}`, [password]).trim();
    throw new Error(`samba-tool user setpassword exited with ${result.code}: ${output}`);
  }
}

/** Changes the user's own password over LDAPS: deletes the old unicodePwd, adds the new one. */
export async function changeOwnPassword(
  facts: LabFacts,
  user: LabUser,
  oldPassword: string,
  newPassword: string,
): Promise<void> {
  await asBound(facts, user.dn, oldPassword, async (client) => {
    await client.modify(user.dn, [
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(oldPassword)] }),
      }),
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(newPassword)] }),
      }),
    ]);
  });
}

/** Deletes the users a test created. */
export async function deleteLabUsers(facts: LabFacts, users: readonly LabUser[]): Promise<void> {
  await asBound(facts, facts.adminDn, facts.adminPassword, async (client) => {
    for (const user of users) await client.del(user.dn).catch(() => undefined);
  });
}

/** Reads the user's pwdLastSet from AD as an ISO 8601 instant (null when never set). */
export async function readPwdLastSet(facts: LabFacts, user: LabUser): Promise<string | null> {
  return asBound(facts, facts.adminDn, facts.adminPassword, async (client) => {
    const { searchEntries } = await client.search(user.dn, {
      scope: 'base',
      attributes: ['pwdLastSet'],
    });
    const value = searchEntries[0]?.pwdLastSet;
    if (typeof value !== 'string') throw new Error(`${user.dn} has no pwdLastSet`);
    return integer8TextToIso(value);
  });
}
