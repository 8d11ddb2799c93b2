import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from 'ldapts';
import { beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/agent/outbox.ts';
import { CaptureState } from '../../src/agent/password/capture-state.ts';
import { ntHash } from '../../src/agent/password/nt-hash.ts';
import { PasswordCapture, type CaptureLdap } from '../../src/agent/password/password-capture.ts';
import {
  PrivilegedLdap,
  privilegedSocketPath,
} from '../../src/agent/password/privileged-socket.ts';
import { openSealedPassword } from '../../src/agent/password/sealed-password.ts';
import { openStateDatabase, type StateDatabase } from '../../src/agent/state-db.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { guidToBytes } from '../../src/directory/guid.ts';
import { isoToFiletime } from '../../src/directory/integer8.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { blobOf } from './support/credential-blob.ts';

const anchor = '1c081731-4490-440c-831d-d529b86b8c32';
const scopeDn = 'OU=Staff,DC=userpilot,DC=test';
const serviceDn = 'CN=NTDS Settings,CN=DC1,CN=Servers,DC=userpilot,DC=test';
const key = Buffer.alloc(32, 7);

/** A fake DC: a rootDSE, an NTDS Settings object and the users a USN search returns. */
class FakeDc implements CaptureLdap {
  highestUsn = 100;
  invocationId = '6b1e4a4e-1111-4222-8333-444455556666';
  users: Entry[] = [];
  searches: string[] = [];

  search(base: string, options: { filter: string }): Promise<Entry[]> {
    this.searches.push(options.filter);
    if (base === '') {
      return Promise.resolve([
        { dn: '', highestCommittedUSN: String(this.highestUsn), dsServiceName: serviceDn },
      ]);
    }
    if (base === serviceDn) {
      return Promise.resolve([{ dn: serviceDn, invocationId: guidToBytes(this.invocationId) }]);
    }
    return Promise.resolve(this.users);
  }
}

/** A user entry as the privileged socket returns it; its GPG package holds the clear text. */
function userEntry(options: {
  password: string;
  pwdLastSet: string | 0;
  gpgLast?: boolean;
  currentPassword?: string;
}): Entry {
  const gpg = { name: 'Primary:SambaGPG', data: Buffer.from(options.password, 'utf16le') };
  const kerberos = { name: 'Primary:Kerberos', data: Buffer.from([1, 2, 3]) };
  const packages = options.gpgLast === false ? [gpg, kerberos] : [kerberos, gpg];
  const current = options.currentPassword ?? options.password;
  const filetime = options.pwdLastSet === 0 ? 0n : isoToFiletime(options.pwdLastSet);
  return {
    dn: `CN=ada,${scopeDn}`,
    objectGUID: guidToBytes(anchor),
    pwdLastSet: filetime.toString(),
    uSNChanged: '101',
    supplementalCredentials: blobOf(packages),
    unicodePwd: ntHash(Buffer.from(current, 'utf16le')),
  };
}

describe('password capture', () => {
  let db: StateDatabase;
  let outbox: Outbox;
  let dc: FakeDc;
  let capture: PasswordCapture;

  beforeEach(() => {
    db = openStateDatabase(mkdtempSync(join(tmpdir(), 'userpilot-capture-')));
    outbox = new Outbox(db, systemClock);
    dc = new FakeDc();
    capture = new PasswordCapture({
      ldap: dc,
      scopeDn,
      // The fake package holds the UTF-16LE clear text, so "decrypting" copies it.
      decrypt: (ciphertext) => Promise.resolve(Buffer.from(ciphertext)),
      key,
      state: new CaptureState(db),
      outbox,
      logger: createLogger({ level: 'silent' }),
    });
  });

  function queued(): { password: string; pwdLastSet: string }[] {
    return outbox.pendingPasswords(10).map((message) => {
      if (message.kind !== 'password') throw new Error('not a password message');
      return openSealedPassword(key, message.anchor, message.sealed);
    });
  }

  it('starts at the next USN without reading users', async () => {
    dc.users = [userEntry({ password: 'Earlier-1', pwdLastSet: '2026-01-01T00:00:00Z' })];
    expect(await capture.poll()).toEqual({ started: true, examined: 0, captured: 0 });
    expect(queued()).toEqual([]);
    expect(new CaptureState(db).cursor()?.nextUsn).toBe('101');
  });

  it('queues a change with its pwdLastSet', async () => {
    await capture.poll();
    dc.highestUsn = 101;
    dc.users = [userEntry({ password: 'Garçon-2024', pwdLastSet: '2026-12-04T04:33:45.298Z' })];
    expect(await capture.poll()).toEqual({ started: false, examined: 1, captured: 1 });
    expect(queued()).toEqual([
      { anchor, password: 'Garçon-2024', pwdLastSet: '2026-12-04T04:33:45.298Z' },
    ]);
    expect(dc.searches.at(-1)).toContain('(uSNChanged>=101)(uSNChanged<=101)');
  });

  it('does not read again when the USN stays', async () => {
    await capture.poll();
    const searches = dc.searches.length;
    expect(await capture.poll()).toEqual({ started: false, examined: 0, captured: 0 });
    expect(dc.searches.length - searches).toBe(2);
  });

  it('skips a user seen again without a new password', async () => {
    await capture.poll();
    const entry = userEntry({ password: 'Same-pass-1', pwdLastSet: '2026-12-04T04:00:00Z' });
    dc.highestUsn = 101;
    dc.users = [entry];
    await capture.poll();
    dc.highestUsn = 102;
    expect(await capture.poll()).toEqual({ started: false, examined: 1, captured: 0 });
    expect(queued()).toHaveLength(1);
  });

  it.each([
    ['must change at next logon', { password: 'Reset-pass-1', pwdLastSet: 0 as const }],
    [
      'a GPG package that is not last',
      { password: 'Old-package-1', pwdLastSet: '2026-12-04T04:00:00Z', gpgLast: false },
    ],
    [
      'a package of an older password',
      {
        password: 'Old-package-1',
        pwdLastSet: '2026-12-04T04:00:00Z',
        currentPassword: 'Current-pass-1',
      },
    ],
  ])('skips %s', async (_name, options) => {
    await capture.poll();
    dc.highestUsn = 101;
    dc.users = [userEntry(options)];
    expect(await capture.poll()).toEqual({ started: false, examined: 1, captured: 0 });
    expect(queued()).toEqual([]);
  });

  it('starts again when the invocationId changes', async () => {
    await capture.poll();
    dc.highestUsn = 500;
    dc.invocationId = '7b1e4a4e-1111-4222-8333-444455556666';
    dc.users = [userEntry({ password: 'Restored-1', pwdLastSet: '2026-12-04T04:00:00Z' })];
    expect((await capture.poll()).started).toBe(true);
    expect(new CaptureState(db).cursor()).toEqual({
      invocationId: '7b1e4a4e-1111-4222-8333-444455556666',
      nextUsn: '501',
    });
    expect(queued()).toEqual([]);
  });
});

describe('privileged socket', () => {
  it('reports a missing socket with its path', async () => {
    const socket = privilegedSocketPath(join(tmpdir(), 'no-samba-here'));
    const ldap = new PrivilegedLdap(socket);
    const error = await ldap
      .search('', { scope: 'base', filter: '(objectClass=*)', attributes: [] })
      .catch((failure: unknown) => failure);
    expect(isUserPilotError(error, 'UP_PASSWORD_STORE_UNREACHABLE')).toBe(true);
    expect(String(error)).toContain(socket);
  });
});
