import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The generated passwords of one lab; kept in a mode 0600 file inside the lab folder. */
export interface LabSecrets {
  adminPassword: string;
  bindPassword: string;
  /** Passwords of the seeded users that have one, by sAMAccountName. */
  userPasswords: Record<string, string>;
}

/**
 * Generates a throwaway password that meets Samba's default complexity rule (three of the
 * four character classes) whatever the random part holds.
 */
export function generatePassword(): string {
  return `Lab-${randomBytes(15).toString('base64url')}-7q`;
}

export function createSecrets(): LabSecrets {
  return {
    adminPassword: generatePassword(),
    bindPassword: generatePassword(),
    userPasswords: {},
  };
}

export function writeSecrets(file: string, secrets: LabSecrets): void {
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
}

export function readSecrets(file: string): LabSecrets | undefined {
  if (!existsSync(file)) return undefined;
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LabSecrets>;
  if (typeof value.adminPassword !== 'string' || typeof value.bindPassword !== 'string') {
    return undefined;
  }
  return {
    adminPassword: value.adminPassword,
    bindPassword: value.bindPassword,
    userPasswords: value.userPasswords ?? {},
  };
}
