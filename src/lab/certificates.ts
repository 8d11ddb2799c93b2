import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from './command.ts';

export interface CertificateFiles {
  tlsDir: string;
  caFile: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  setupLog: string;
}

/**
 * Makes the lab's own CA and the DC's server certificate with openssl. Samba's first-start
 * certificate names only the host and has no subjectAltName, so a client connecting to
 * 127.0.0.1 could not verify it; this one lists the DC's names, localhost and the loopback
 * addresses.
 */
export async function createLabCertificates(
  files: CertificateFiles,
  hostName: string,
  dnsDomain: string,
): Promise<void> {
  mkdirSync(files.tlsDir, { recursive: true, mode: 0o700 });
  const log = { logFile: files.setupLog };

  await runChecked(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      files.caKey,
      '-out',
      files.caFile,
      '-days',
      '3650',
      '-subj',
      '/CN=UserPilot lab CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { ...log, step: 'Creating the lab CA' },
  );

  const request = join(files.tlsDir, 'server.csr');
  const extensions = join(files.tlsDir, 'server.ext');
  const fqdn = `${hostName}.${dnsDomain}`;
  writeFileSync(
    extensions,
    [
      `subjectAltName=DNS:${fqdn},DNS:${hostName},DNS:localhost,IP:127.0.0.1,IP:::1`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await runChecked(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      files.serverKey,
      '-out',
      request,
      '-subj',
      `/CN=${fqdn}`,
    ],
    { ...log, step: 'Creating the DC key and certificate request' },
  );
  await runChecked(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      files.caFile,
      '-CAkey',
      files.caKey,
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      '3650',
      '-extfile',
      extensions,
      '-out',
      files.serverCert,
    ],
    { ...log, step: 'Signing the DC certificate' },
  );

  // Samba refuses a TLS key file that others can read.
  chmodSync(files.serverKey, 0o600);
  chmodSync(files.caKey, 0o600);
  rmSync(request, { force: true });
  rmSync(extensions, { force: true });
}
