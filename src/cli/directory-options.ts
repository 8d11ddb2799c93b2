import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { DirectoryConnectionOptions } from '../directory/connection-options.ts';
import { UserPilotError } from '../protocol/errors.ts';

/**
 * The options every command that talks to a domain controller takes, defined once so the
 * `directory` and agent commands read the same flags.
 */
export interface DirectoryCliOptions {
  url: string;
  bindDn: string;
  bindPasswordFile?: string;
  bindPasswordStdin?: boolean;
  caFile?: string;
  tlsServerName?: string;
  insecureSkipVerify?: boolean;
  starttls?: boolean;
  connectTimeout?: number;
  operationTimeout?: number;
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('Give a positive number of seconds.');
  }
  return seconds;
}

/** Adds the DC connection options to a command. */
export function addDirectoryConnectionOptions(command: Command): Command {
  return command
    .requiredOption(
      '--url <url>',
      'the DC: ldaps://host[:636], or ldap://host[:389] with --starttls',
    )
    .requiredOption('--bind-dn <dn-or-upn>', 'the bind account, as a DN or as name@realm')
    .option('--bind-password-file <file>', 'read the bind password from this file (first line)')
    .option('--bind-password-stdin', 'read the bind password from standard input')
    .option('--ca-file <file>', 'PEM file of the CA that signed the DC certificate')
    .option(
      '--tls-server-name <name>',
      'host name the DC certificate must name (default: the URL host)',
    )
    .option(
      '--insecure-skip-verify',
      'do not verify the DC certificate (logs a warning at every connect)',
    )
    .option('--starttls', 'upgrade an ldap:// connection with StartTLS before binding')
    .option(
      '--connect-timeout <seconds>',
      'seconds to wait for the connection',
      positiveSeconds,
      10,
    )
    .option(
      '--operation-timeout <seconds>',
      'seconds one LDAP operation may take',
      positiveSeconds,
      120,
    )
    .addHelpText(
      'after',
      '\nThe bind password comes from --bind-password-file, --bind-password-stdin or the\n' +
        'USERPILOT_BIND_PASSWORD environment variable, in that order; never from an argument.',
    );
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Returns the first line of a password source, without its line ending; other spaces are kept. */
function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

async function bindPassword(
  options: DirectoryCliOptions,
  environment: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
): Promise<string> {
  let password: string | undefined;
  if (options.bindPasswordFile !== undefined)
    password = firstLine(readFileSync(options.bindPasswordFile, 'utf8'));
  else if (options.bindPasswordStdin === true) password = firstLine(await readStdin(stdin));
  else password = environment.USERPILOT_BIND_PASSWORD;
  if (password === undefined || password === '') {
    throw new UserPilotError('UP_DIRECTORY_PASSWORD_MISSING', 'No bind password was given.', {
      hint: 'Pass --bind-password-file FILE, --bind-password-stdin, or set USERPILOT_BIND_PASSWORD.',
    });
  }
  return password;
}

/** Turns the parsed options into connection options, reading the password from its source. */
export async function resolveDirectoryConnection(
  options: DirectoryCliOptions,
  environment: NodeJS.ProcessEnv = process.env,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<DirectoryConnectionOptions> {
  return {
    url: options.url,
    bindDn: options.bindDn,
    bindPassword: await bindPassword(options, environment, stdin),
    startTls: options.starttls === true,
    insecureSkipVerify: options.insecureSkipVerify === true,
    connectTimeoutMs: (options.connectTimeout ?? 10) * 1000,
    operationTimeoutMs: (options.operationTimeout ?? 120) * 1000,
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    ...(options.tlsServerName === undefined ? {} : { tlsServerName: options.tlsServerName }),
  };
}
