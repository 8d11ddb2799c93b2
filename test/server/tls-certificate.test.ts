import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { certificateFingerprint, createLabCertificate } from '../../src/server/tls-certificate.ts';

describe('createLabCertificate', () => {
  it('names loopback, localhost and the host name', async () => {
    const lab = await createLabCertificate(
      'mail.lab.test',
      new ManualClock('2026-02-01T00:00:00Z'),
    );
    const certificate = new X509Certificate(lab.certificatePem);

    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(certificate.subjectAltName).toContain('DNS:mail.lab.test');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('mail.lab.test')).toBe('mail.lab.test');
    expect(certificate.ca).toBe(false);
    expect(new Date(certificate.validFrom).getTime()).toBeLessThan(
      Date.parse('2026-02-01T00:00:00Z'),
    );
  });

  it('prints the fingerprint Node computes', async () => {
    const lab = await createLabCertificate('localhost', new ManualClock());
    const certificate = new X509Certificate(lab.certificatePem);

    expect(lab.fingerprintSha256).toBe(certificate.fingerprint256);
    expect(certificateFingerprint(lab.certificatePem)).toBe(certificate.fingerprint256);
  });

  it('pairs the key with the certificate', async () => {
    const lab = await createLabCertificate('localhost', new ManualClock());
    const { createPrivateKey } = await import('node:crypto');
    const certificate = new X509Certificate(lab.certificatePem);

    expect(certificate.checkPrivateKey(createPrivateKey(lab.privateKeyPem))).toBe(true);
  });
});
