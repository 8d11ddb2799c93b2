import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are secrets. The logger replaces them wherever they appear (top level or one
 * or two objects deep), so a secret passed by mistake never reaches a log line. Callers must
 * still never pass one.
 */
export const secretKeys = [
  'password',
  'newPassword',
  'oldPassword',
  'bind_password',
  'bindPassword',
  'adminPassword',
  'installPassword',
  'secret',
  'token',
  'accessToken',
  'credential',
  'authorization',
  'cookie',
  'key',
  'privateKey',
  'unicodePwd',
  'virtualClearTextUTF8',
] as const;

const redactPaths = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** The fixed log keys; components use these names and no synonyms. */
export type LogKey =
  | 'component'
  | 'tenant_id'
  | 'agent_id'
  | 'run_id'
  | 'entry_dn'
  | 'anchor'
  | 'attribute'
  | 'code'
  | 'duration_ms'
  | 'count';

export interface CreateLoggerOptions {
  level?: string;
  /** Where lines go; standard error by default, so standard output stays free for data. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.USERPILOT_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(config, options.destination ?? pino.destination(2));
}

/** Makes the child logger of one component; every line it writes carries `component`. */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}
