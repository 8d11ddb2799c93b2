import type { Entry } from 'ldapts';
import type { Logger } from '../../core/log.ts';
import { guidFromBytes } from '../../directory/guid.ts';
import { filetimeToIso, parseInteger8 } from '../../directory/integer8.ts';
import type { CaptureCursor, CaptureState } from './capture-state.ts';
import { ntHash } from './nt-hash.ts';
import { sealPassword } from './sealed-password.ts';
import { readCredentialPackages, sambaGpgPackage } from './supplemental-credentials.ts';

/** The LDAP reads the capture needs; PrivilegedLdap in production. */
export interface CaptureLdap {
  search(
    base: string,
    options: { scope: 'base' | 'sub'; filter: string; attributes: string[] },
  ): Promise<Entry[]>;
}

export interface PasswordCaptureOptions {
  ldap: CaptureLdap;
  /** The sync scope: only users inside it are captured. */
  scopeDn: string;
  /** Decrypts one Samba GPG package; gpgDecrypt with the DC's GNUPGHOME in production. */
  decrypt: (ciphertext: Buffer) => Promise<Buffer>;
  /** AES-256 key that seals each password before it reaches the outbox. */
  key: Buffer;
  state: CaptureState;
  outbox: { enqueuePassword(anchor: string, sealed: string): number };
  logger: Logger;
}

/** What one poll did. `started` is true when it only set the starting point. */
export interface CaptureSummary {
  started: boolean;
  examined: number;
  captured: number;
}

/** Why a changed user gave no password. */
type SkipReason = 'unchanged' | 'must-change' | 'no-gpg-package' | 'hash-mismatch';

const userAttributes = [
  'objectGUID',
  'pwdLastSet',
  'uSNChanged',
  'supplementalCredentials',
  'unicodePwd',
];

/**
 * Captures password changes on a Samba DC by polling its USNs over the privileged socket. Each
 * changed user's `Primary:SambaGPG` package is decrypted, checked against the user's NT hash,
 * sealed and queued, with its pwdLastSet, in the same transaction that records the anchor as
 * captured. The cursor moves on only after every user up to the read USN is handled, so a crash
 * reads them again and the per-anchor record prevents a second delivery.
 *
 * Samba keeps only the newest encrypted password of a user: several changes while the agent
 * was stopped yield the last one alone, with its pwdLastSet.
 */
export class PasswordCapture {
  private readonly log: Logger;

  constructor(private readonly options: PasswordCaptureOptions) {
    this.log = options.logger.child({ component: 'password-capture' });
  }

  /** Reads the changes committed since the last poll; the first poll sets the starting point. */
  async poll(): Promise<CaptureSummary> {
    const dc = await this.readDcCursor();
    const cursor = this.options.state.cursor();
    if (cursor === undefined || cursor.invocationId !== dc.invocationId) {
      this.startAt(dc, cursor);
      return { started: true, examined: 0, captured: 0 };
    }
    if (BigInt(dc.nextUsn) <= BigInt(cursor.nextUsn)) {
      return { started: false, examined: 0, captured: 0 };
    }

    const highest = BigInt(dc.nextUsn) - 1n;
    const entries = await this.options.ldap.search(this.options.scopeDn, {
      scope: 'sub',
      filter: `(&(objectClass=user)(!(objectClass=computer))(uSNChanged>=${cursor.nextUsn})(uSNChanged<=${highest}))`,
      attributes: userAttributes,
    });
    let captured = 0;
    for (const entry of entries) {
      if (await this.captureEntry(entry)) captured += 1;
    }
    this.options.state.saveCursor({ invocationId: dc.invocationId, nextUsn: dc.nextUsn });
    if (captured > 0) this.log.info({ count: captured }, 'password changes captured');
    return { started: false, examined: entries.length, captured };
  }

  /**
   * Sets the cursor at the DC's next USN. Passwords set before it are not captured: they
   * reach the service at each user's next change.
   */
  private startAt(dc: CaptureCursor, previous: CaptureCursor | undefined): void {
    this.options.state.saveCursor(dc);
    if (previous === undefined) {
      this.log.info({ usn: dc.nextUsn }, 'password capture starts; earlier changes are not read');
    } else {
      this.log.warn(
        { usn: dc.nextUsn, previous_invocation_id: previous.invocationId },
        "the DC's invocationId changed (restored database); password capture starts again",
      );
    }
  }

  /**
   * Captures one changed user; returns true when a password was queued. A gpg failure is
   * thrown, so the cursor stays and the user is read again at the next poll.
   */
  private async captureEntry(entry: Entry): Promise<boolean> {
    const anchor = guidFromBytes(bufferOf(entry, 'objectGUID') ?? Buffer.alloc(0));
    const pwdLastSet = parseInteger8(textOf(entry, 'pwdLastSet') ?? '0');
    const examined = this.examine(anchor, pwdLastSet, entry);
    if ('skip' in examined) {
      this.logSkip(anchor, entry.dn, examined.skip);
      return false;
    }

    const plain = await this.options.decrypt(examined.ciphertext);
    try {
      const ntHashStored = bufferOf(entry, 'unicodePwd');
      if (ntHashStored === undefined || !ntHash(plain).equals(ntHashStored)) {
        this.logSkip(anchor, entry.dn, 'hash-mismatch');
        return false;
      }
      const sealed = sealPassword(this.options.key, {
        anchor,
        password: plain.toString('utf16le'),
        pwdLastSet: filetimeToIso(pwdLastSet) ?? '',
      });
      this.options.state.transaction(() => {
        this.options.outbox.enqueuePassword(anchor, sealed);
        this.options.state.markCaptured(anchor, pwdLastSet);
      });
      this.log.debug({ anchor, entry_dn: entry.dn }, 'password change captured');
      return true;
    } finally {
      plain.fill(0);
    }
  }

  /** Finds the user's Samba GPG package, or the reason there is nothing to capture. */
  private examine(
    anchor: string,
    pwdLastSet: bigint,
    entry: Entry,
  ): { skip: SkipReason } | { ciphertext: Buffer } {
    // pwdLastSet 0 means "must change at next logon"; that change brings the password.
    if (pwdLastSet === 0n) return { skip: 'must-change' };
    const last = this.options.state.lastCaptured(anchor);
    if (last !== undefined && last >= pwdLastSet) return { skip: 'unchanged' };
    const blob = bufferOf(entry, 'supplementalCredentials');
    const ciphertext = sambaGpgPackage(blob === undefined ? [] : readCredentialPackages(blob));
    return ciphertext === undefined ? { skip: 'no-gpg-package' } : { ciphertext };
  }

  private logSkip(anchor: string, dn: string, reason: SkipReason): void {
    if (reason === 'unchanged') return;
    const messages: Record<Exclude<SkipReason, 'unchanged'>, string> = {
      'must-change': 'password skipped: the user must change it at next logon',
      'no-gpg-package':
        'password skipped: Samba kept no GPG copy (is "password hash gpg key ids" set?)',
      'hash-mismatch': 'password skipped: the GPG copy is not the current password',
    };
    this.log.warn({ anchor, entry_dn: dn, reason }, messages[reason]);
  }

  /** The DC's invocationId and the USN after its highest committed one. */
  private async readDcCursor(): Promise<CaptureCursor> {
    const [root] = await this.options.ldap.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['highestCommittedUSN', 'dsServiceName'],
    });
    const highest = textOf(root, 'highestCommittedUSN');
    const service = textOf(root, 'dsServiceName');
    if (highest === undefined || service === undefined) {
      throw new Error('The rootDSE of the privileged socket lacks highestCommittedUSN.');
    }
    const [settings] = await this.options.ldap.search(service, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['invocationId'],
    });
    const invocation = bufferOf(settings, 'invocationId');
    if (invocation === undefined) throw new Error(`${service} has no invocationId.`);
    return { invocationId: guidFromBytes(invocation), nextUsn: (BigInt(highest) + 1n).toString() };
  }
}

function textOf(entry: Entry | undefined, attribute: string): string | undefined {
  const value = entry?.[attribute];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  return Buffer.isBuffer(first) ? first.toString('utf8') : undefined;
}

function bufferOf(entry: Entry | undefined, attribute: string): Buffer | undefined {
  const value = entry?.[attribute];
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) && first.length > 0 ? first : undefined;
}
