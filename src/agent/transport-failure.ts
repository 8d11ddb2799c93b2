/** The step at which reaching the service failed. */
export type TransportCause =
  'dns' | 'tcp-refused' | 'tcp-timeout' | 'tcp' | 'tls' | 'proxy' | 'http-status';

const certificateProblems: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not name this host',
  CERT_REVOKED: 'it is revoked',
};

/** A failure to reach the service, with the step that failed and a description for admins. */
export class TransportFailure extends Error {
  constructor(
    readonly step: TransportCause,
    readonly description: string,
    readonly certificateCode?: string,
  ) {
    super(description);
    this.name = 'TransportFailure';
  }

  static fromSocketError(error: Error, host: string, port: number): TransportFailure {
    const code = 'code' in error ? String(error.code) : '';
    if (
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      code === 'EAI_FAIL' ||
      code === 'EAI_NODATA'
    ) {
      return new TransportFailure('dns', `the host name ${host} cannot be resolved (DNS ${code})`);
    }
    if (code === 'ECONNREFUSED') {
      return new TransportFailure(
        'tcp-refused',
        `the TCP connection to ${host}:${port} was refused`,
      );
    }
    if (code === 'ETIMEDOUT') {
      return new TransportFailure('tcp-timeout', `the TCP connection to ${host}:${port} timed out`);
    }
    return new TransportFailure(
      'tcp',
      `the TCP connection to ${host}:${port} failed (${code || error.message})`,
    );
  }

  static fromTlsError(error: Error, host: string): TransportFailure {
    const code = 'code' in error ? String(error.code) : '';
    const problem = certificateProblems[code];
    if (problem !== undefined) {
      return new TransportFailure(
        'tls',
        `TLS: the certificate of ${host} is not trusted: ${problem} (${code})`,
        code,
      );
    }
    return new TransportFailure(
      'tls',
      `TLS handshake with ${host} failed: ${code || error.message}`,
      code || undefined,
    );
  }
}

/** What to do next for each cause, shown after the message. */
export const transportHints: Record<TransportCause, string> = {
  dns: 'Check the host name of the service URL and the DNS settings of this machine.',
  'tcp-refused':
    'Check that the service runs and listens on that port, and that no firewall blocks it.',
  'tcp-timeout':
    'Check the firewall (outbound HTTPS) and the proxy setting (service.proxy or HTTPS_PROXY).',
  tcp: 'Check the network path to the service.',
  tls: "Trust the service's certificate with service.caFile (its CA) or service.fingerprint (its SHA-256).",
  proxy:
    'Check the proxy URL (service.proxy or HTTPS_PROXY) and that it allows CONNECT to the service.',
  'http-status':
    'Check the service URL; a proxy or load balancer may be answering in place of the service.',
};
