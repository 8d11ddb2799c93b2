/**
 * The connection facts of a running lab DC, as `userpilot lab up --json` prints them. Tests,
 * benchmarks and the demo read the lab only through these.
 */
export interface LabFacts {
  /** The lab folder, which holds Samba's files, the relay sockets and the CA file. */
  dir: string;
  realm: string;
  /** NetBIOS domain name. */
  domain: string;
  /** The DC's host name (no domain), as its certificate names it. */
  dcHostName: string;
  /** ldaps:// URL on loopback, reaching the DC through the relay. */
  ldapsUrl: string;
  /** ldap:// URL on loopback for StartTLS, reaching the DC through the relay. */
  ldapUrl: string;
  /** PEM file of the lab's own CA, which signed the DC's certificate. */
  caFile: string;
  baseDn: string;
  /** The OU the agent synchronizes (the sync scope), `OU=Staff,<baseDn>`. */
  scopeDn: string;
  /** The unprivileged sync account of the agent. */
  bindDn: string;
  bindUpn: string;
  bindPassword: string;
  /** Administrator: for seeding and for tests that change the directory, never for the agent. */
  adminDn: string;
  adminUpn: string;
  adminPassword: string;
  /** The mail domain the seeded users' expected outcomes assume is registered for the tenant. */
  mailDomain: string;
  /** A second domain that lab users have in their UPN but that is never registered. */
  unregisteredDomain: string;
  /** Samba's log file, to read when something fails. */
  logFile: string;
  /** The network namespace Samba runs in (`ip netns exec NAME ...`). */
  namespace: string;
  /** Loopback ports of this machine that the relay forwards to LDAPS and LDAP. */
  ldapsPort: number;
  ldapPort: number;
  /** GNUPGHOME of the password store, and the key Samba encrypts captured passwords to. */
  gnupgHome: string;
  gpgKeyId: string;
  /** Whether the fixture tree of fixtures/lab/staff.json has been seeded. */
  seeded: boolean;
  /** Passwords of the seeded users that have one, by sAMAccountName. */
  userPasswords: Record<string, string>;
  /** The PID of the Samba process, or undefined when the lab is down. */
  sambaPid?: number;
  /** The PIDs of the relay inside the namespace and the relay outside, when running. */
  relayPids?: number[];
}
