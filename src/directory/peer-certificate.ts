import * as tls from 'node:tls';

/** Describes a certificate for TLS error messages: subject, issuer, names and validity. */
export function describePeerCertificate(certificate: tls.PeerCertificate): string | undefined {
  if (Object.keys(certificate).length === 0) return undefined;
  const subject = nameOf(certificate.subject?.CN) ?? JSON.stringify(certificate.subject);
  const issuer = nameOf(certificate.issuer?.CN) ?? JSON.stringify(certificate.issuer);
  const names = certificate.subjectaltname ?? 'no subjectAltName';
  return `certificate subject CN=${subject}, issuer CN=${issuer}, ${names}, valid ${certificate.valid_from} to ${certificate.valid_to}`;
}

function nameOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('+') : value;
}

/**
 * Reads the certificate an LDAPS server presents, without trusting it, to name it in an error
 * after verification failed (Node drops the peer certificate of a socket it rejected). The
 * probe completes the TLS handshake, sends no LDAP data and closes. Resolves undefined on any
 * failure or after `timeoutMs`.
 */
export function probePeerCertificate(
  host: string,
  port: number,
  serverName: string | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(serverName === undefined ? {} : { servername: serverName }),
    });
    const finish = (description: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(description);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once('secureConnect', () =>
      finish(describePeerCertificate(socket.getPeerCertificate())),
    );
    socket.once('error', () => finish(undefined));
  });
}
