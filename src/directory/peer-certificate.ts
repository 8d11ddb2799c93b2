import type { TLSSocket } from 'node:tls';

/**
 * Describes the certificate a server sent, for TLS error messages: subject, issuer and validity.
 * Returns undefined when no certificate was received.
 */
export function describeCertificate(socket: TLSSocket | undefined): string | undefined {
  if (socket === undefined) return undefined;
  let certificate;
  try {
    certificate = socket.getPeerCertificate();
  } catch {
    return undefined;
  }
  if (certificate === null || Object.keys(certificate).length === 0) return undefined;
  const subject = nameOf(certificate.subject?.CN) ?? JSON.stringify(certificate.subject);
  const issuer = nameOf(certificate.issuer?.CN) ?? JSON.stringify(certificate.issuer);
  const names = certificate.subjectaltname ?? 'no subjectAltName';
  return `certificate subject CN=${subject}, issuer CN=${issuer}, ${names}, valid ${certificate.valid_from} to ${certificate.valid_to}`;
}

function nameOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('+') : value;
}
