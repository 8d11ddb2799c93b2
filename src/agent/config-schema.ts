import Type, { type Static } from 'typebox';
import { PasswordCaptureSchema } from './password/capture-config.ts';

/**
 * A secret value in the configuration: the value itself, a file that holds it (trailing line
 * breaks are removed), or an environment variable that holds it. A file or a variable keeps the
 * secret out of the configuration file and out of the shell history.
 */
export const SecretSchema = Type.Union(
  [
    Type.String({ minLength: 1, description: 'The secret itself.' }),
    Type.Object(
      { file: Type.String({ minLength: 1, description: 'Path of a file that holds the secret.' }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { env: Type.String({ minLength: 1, description: 'Environment variable that holds it.' }) },
      { additionalProperties: false },
    ),
  ],
  { description: 'A secret: inline, {"file": PATH} or {"env": NAME}.' },
);

export type SecretSource = Static<typeof SecretSchema>;

const ServiceSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description:
        'Base URL of the hosted UserPilot service, for example https://sync.example.net. ' +
        'Plain http:// is accepted only for a loopback address.',
    }),
    installUser: Type.String({
      minLength: 1,
      description:
        "The tenant's agent install user name, from `userpilot server init` or the panel.",
    }),
    installPassword: SecretSchema,
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "PEM file of the CA that signed the service's certificate, in place of the system CAs.",
      }),
    ),
    fingerprint: Type.Optional(
      Type.String({
        pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$',
        description:
          "SHA-256 fingerprint of the service's certificate (hex, colons optional). When set, " +
          'only that certificate is trusted, whoever signed it.',
      }),
    ),
    proxy: Type.Optional(
      Type.String({
        pattern: '^http://',
        description:
          'HTTP proxy used through CONNECT, for example http://10.0.0.1:3128. ' +
          'Defaults to HTTPS_PROXY (or https_proxy) from the environment.',
      }),
    ),
    timeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 600,
      default: 30,
      description: 'Time allowed for connecting and for each request, in seconds.',
    }),
  },
  { additionalProperties: false },
);

const DirectorySchema = Type.Object(
  {
    url: Type.String({
      pattern: '^ldaps?://',
      description:
        'LDAP URL of the domain controller: ldaps://HOST:636, or ldap://HOST:389 with StartTLS.',
    }),
    bindDn: Type.String({
      minLength: 1,
      description: 'The sync account, as a DN or a UPN (user@realm).',
    }),
    bindPassword: SecretSchema,
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        description: "PEM file of the CA that signed the DC's certificate.",
      }),
    ),
    tlsServerName: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Name to verify the DC's certificate against, when it differs from the URL's host.",
      }),
    ),
    scopeDn: Type.String({
      minLength: 1,
      description: 'The sync scope: DN of the OU whose users (children included) are synchronized.',
    }),
    pollSeconds: Type.Number({
      minimum: 0.5,
      maximum: 3600,
      default: 3,
      description: 'Interval of the rootDSE USN poll that triggers a delta read, in seconds.',
    }),
  },
  { additionalProperties: false },
);

const SyncSchema = Type.Object(
  {
    fullReconcileHours: Type.Number({
      minimum: 0.01,
      default: 24,
      description: 'Interval between full reads of the scope, in hours.',
    }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 1000,
      description:
        'Records and removals per batch sent to the service (the service accepts at most 1,000).',
    }),
    heartbeatSeconds: Type.Number({
      minimum: 1,
      default: 30,
      description: 'Interval between heartbeats and lease renewals, in seconds.',
    }),
    progressSeconds: Type.Number({
      minimum: 0.1,
      default: 5,
      description:
        'Interval between progress log lines of a full read when not on a terminal, in seconds.',
    }),
    retryMaxSeconds: Type.Number({
      minimum: 1,
      default: 60,
      description:
        'Longest wait between two attempts while the service is unreachable, in seconds.',
    }),
  },
  { additionalProperties: false, default: {} },
);

const SyslogSchema = Type.Object(
  {
    mode: Type.Union(
      [Type.Literal('auto'), Type.Literal('journald'), Type.Literal('logger'), Type.Literal('off')],
      {
        default: 'auto',
        description:
          'Where critical errors also go: journald (a `<2>` prefix on standard error, for systemd), ' +
          'logger (/usr/bin/logger -t userpilot -p daemon.crit), off, or auto (journald when ' +
          'JOURNAL_STREAM is set, else logger).',
      },
    ),
    loggerPath: Type.String({
      minLength: 1,
      default: '/usr/bin/logger',
      description: 'The logger program.',
    }),
    socket: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Unix socket that logger writes to, in place of /dev/log.',
      }),
    ),
    server: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'IP address of a remote syslog server that logger sends UDP to.',
      }),
    ),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, description: 'UDP port of that server.' }),
    ),
  },
  { additionalProperties: false, default: {} },
);

const LogSchema = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
      ],
      { default: 'info', description: 'Lowest level written to the log.' },
    ),
    syslog: SyslogSchema,
  },
  { additionalProperties: false, default: {} },
);

/** The agent's configuration file (JSON). Defaults are filled in before validation. */
export const AgentConfigSchema = Type.Object(
  {
    stateDir: Type.String({
      minLength: 1,
      default: '/var/lib/userpilot',
      description: "Folder of the agent's state: the outbox database and the log file.",
    }),
    service: ServiceSchema,
    directory: DirectorySchema,
    sync: SyncSchema,
    log: LogSchema,
    passwords: PasswordCaptureSchema,
  },
  { additionalProperties: false },
);

export type AgentConfig = Static<typeof AgentConfigSchema>;

export const defaultConfigPath = '/etc/userpilot/agent.json';
