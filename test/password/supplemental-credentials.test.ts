import { describe, expect, it } from 'vitest';
import {
  readCredentialPackages,
  sambaGpgPackage,
} from '../../src/agent/password/supplemental-credentials.ts';
import { blobOf } from './support/credential-blob.ts';

const gpg = Buffer.from('-----BEGIN PGP MESSAGE-----', 'latin1');
const kerberos = Buffer.from([1, 2, 3, 4]);

describe('supplementalCredentials', () => {
  it('lists packages with their data decoded from hex', () => {
    const packages = readCredentialPackages(
      blobOf([
        { name: 'Primary:Kerberos', data: kerberos },
        { name: 'Primary:SambaGPG', data: gpg },
      ]),
    );
    expect(packages.map((entry) => entry.name)).toEqual(['Primary:Kerberos', 'Primary:SambaGPG']);
    expect(packages[0]?.data.equals(kerberos)).toBe(true);
  });

  it.each([
    [
      'last',
      [
        { name: 'Primary:Kerberos', data: kerberos },
        { name: 'Primary:SambaGPG', data: gpg },
      ],
      true,
    ],
    [
      'first',
      [
        { name: 'Primary:SambaGPG', data: gpg },
        { name: 'Primary:Kerberos', data: kerberos },
      ],
      false,
    ],
    ['absent', [{ name: 'Primary:Kerberos', data: kerberos }], false],
  ])('takes the SambaGPG package only when it is %s', (_name, packages, found) => {
    const result = sambaGpgPackage(readCredentialPackages(blobOf(packages)));
    expect(result?.equals(gpg) ?? false).toBe(found);
  });

  it('returns no packages for a header-only blob', () => {
    expect(readCredentialPackages(Buffer.alloc(12))).toEqual([]);
  });

  it('throws for a blob cut inside a package', () => {
    const blob = blobOf([{ name: 'Primary:SambaGPG', data: gpg }]);
    const cut = Buffer.from(blob.subarray(0, blob.length - 20));
    cut.writeUInt32LE(cut.length - 12, 4);
    expect(() => readCredentialPackages(cut)).toThrow(/ends inside package 0/);
  });
});
