import { createHash, webcrypto } from 'node:crypto';
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../core/clock.ts';

export interface LabCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-256 of the DER certificate, as colon-separated upper-case hex. */
  fingerprintSha256: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Validity of a lab certificate; long enough for a lab, short enough to be replaced. */
const validityDays = 825;

/**
 * Creates a self-signed certificate for a lab service. Its subjectAltName lists 127.0.0.1, ::1,
 * localhost and the given host name, so clients can verify it by IP or by name. Agents pin it by
 * the printed fingerprint; it is no substitute for a certificate from a CA in production.
 */
export async function createLabCertificate(
  hostname: string,
  clock: Clock,
): Promise<LabCertificate> {
  // @peculiar/x509 is typed against the DOM's Crypto, which Node's webcrypto implements.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(clock.now().getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validityDays * 86_400_000);

  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${escapeRdnValue(hostname)}, O=UserPilot lab`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(subjectAltNames(hostname)),
    ],
  });

  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    fingerprintSha256: certificateFingerprint(certificate.toString('pem')),
  };
}

/** Computes the SHA-256 fingerprint of a PEM certificate, as colon-separated upper-case hex. */
export function certificateFingerprint(certificatePem: string): string {
  const der = Buffer.from(new x509.X509Certificate(certificatePem).rawData);
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.match(/../g)?.join(':') ?? hex;
}

function subjectAltNames(hostname: string): x509.JsonGeneralName[] {
  const names: x509.JsonGeneralName[] = [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
    { type: 'dns', value: 'localhost' },
  ];
  if (hostname !== '' && hostname.toLowerCase() !== 'localhost') {
    names.push({ type: 'dns', value: hostname });
  }
  return names;
}

function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // A positive DER integer: the first byte's high bit must be clear.
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function escapeRdnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (character) => `\\${character}`);
}
