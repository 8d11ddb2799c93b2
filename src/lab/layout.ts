import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/** The names the lab domain uses. All are reserved `.test` names, so none can reach real DNS. */
export const labNames = {
  realm: 'USERPILOT.TEST',
  domain: 'USERPILOT',
  dnsDomain: 'userpilot.test',
  dcHostName: 'labdc',
  baseDn: 'DC=userpilot,DC=test',
  mailDomain: 'userpilot.test',
  unregisteredDomain: 'partner.test',
  syncAccount: 'userpilot-sync',
} as const;

/** Where every file of one lab lives; all paths are inside the lab folder. */
export interface LabLayout {
  dir: string;
  /** Short hash of the absolute folder path; names the namespace and picks default ports. */
  hash: string;
  namespace: string;
  sambaDir: string;
  smbConf: string;
  samLdb: string;
  ntpSignd: string;
  tlsDir: string;
  caFile: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  gnupgHome: string;
  runDir: string;
  logDir: string;
  /** Samba's own log file. */
  sambaLog: string;
  /** Output of every command the lab runs (secrets replaced), for provisioning failures. */
  setupLog: string;
  /** Standard output and error of the detached processes. */
  sambaOut: string;
  relayLog: string;
  ldapsSocket: string;
  ldapSocket: string;
  /** Written last by provisioning; a lab folder without it is half provisioned. */
  stateFile: string;
  /** Generated passwords, mode 0600. */
  secretsFile: string;
  /** Written when the fixture has been seeded. */
  seededFile: string;
  lockFile: string;
}

/** The longest path a Unix socket address can hold on Linux (sun_path minus its NUL). */
const maxSocketPath = 107;

export function labLayout(dir: string): LabLayout {
  const absolute = resolve(dir);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  const sambaDir = join(absolute, 'samba');
  const tlsDir = join(absolute, 'tls');
  const runDir = join(absolute, 'run');
  const logDir = join(absolute, 'log');
  return {
    dir: absolute,
    hash,
    namespace: `userpilot-lab-${hash}`,
    sambaDir,
    smbConf: join(sambaDir, 'etc', 'smb.conf'),
    samLdb: join(sambaDir, 'private', 'sam.ldb'),
    ntpSignd: join(sambaDir, 'ntp_signd'),
    tlsDir,
    caFile: join(tlsDir, 'ca.pem'),
    caKey: join(tlsDir, 'ca.key'),
    serverCert: join(tlsDir, 'server.pem'),
    serverKey: join(tlsDir, 'server.key'),
    gnupgHome: join(absolute, 'gnupg'),
    runDir,
    logDir,
    sambaLog: join(logDir, 'samba.log'),
    setupLog: join(logDir, 'setup.log'),
    sambaOut: join(logDir, 'samba.out'),
    relayLog: join(logDir, 'relay.log'),
    ldapsSocket: join(runDir, 'ldaps.sock'),
    ldapSocket: join(runDir, 'ldap.sock'),
    stateFile: join(absolute, 'lab.json'),
    secretsFile: join(absolute, 'secrets.json'),
    seededFile: join(absolute, 'seeded.json'),
    lockFile: join(absolute, 'lab.lock'),
  };
}

/** Returns true when the relay socket paths fit into a Unix socket address. */
export function socketPathsFit(layout: LabLayout): boolean {
  return Buffer.byteLength(layout.ldapsSocket) <= maxSocketPath;
}

/**
 * Picks the default loopback ports of a lab from its folder hash: an even port in 20000-31998
 * for LDAPS and the next one for LDAP. The range stays below Linux's default ephemeral range
 * (32768-60999), so an outgoing connection does not hold it by chance.
 */
export function defaultPorts(layout: LabLayout): { ldapsPort: number; ldapPort: number } {
  const slot = Number.parseInt(layout.hash.slice(0, 6), 16) % 6000;
  const ldapsPort = 20000 + slot * 2;
  return { ldapsPort, ldapPort: ldapsPort + 1 };
}
