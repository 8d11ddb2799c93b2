import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { UserPilotError } from '../protocol/errors.ts';
import { defaultLeaseTtlSeconds } from './app.ts';

/** The configuration file of a service's data folder. */
export const serverConfigFile = 'server.json';

/**
 * The schema of `server.json`, written by `userpilot server init` and read at every start.
 * Relative paths are relative to the data folder. The file may hold a database password, so it
 * is written with mode 0600.
 */
export const serverConfigSchema = Type.Object(
  {
    /** A SQLite file path or a postgres:// URL. */
    database: Type.String({ minLength: 1 }),
    /** The address `server start` listens on unless --listen is given. */
    listen: Type.String({ default: '127.0.0.1:8443' }),
    /** The host name the lab certificate was made for; shown in setup instructions. */
    hostname: Type.String({ minLength: 1 }),
    /** PEM files of the TLS certificate (with any intermediates) and its private key. */
    tls: Type.Object(
      { certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
    /** Seconds a directory lease lasts unless renewed. */
    leaseTtlSeconds: Type.Integer({ minimum: 10, maximum: 600, default: defaultLeaseTtlSeconds }),
  },
  { additionalProperties: false },
);

export type ServerConfig = Static<typeof serverConfigSchema>;

/** Reads and validates `server.json`, reporting every problem at once. */
export function readServerConfig(dataDir: string): ServerConfig {
  const path = join(dataDir, serverConfigFile);
  if (!existsSync(path)) {
    throw new UserPilotError('UP_SERVER_DATA_MISSING', `${path} does not exist.`, {
      hint: `Run: userpilot server init --data ${dataDir}`,
      details: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw configInvalid(path, [`not valid JSON: ${(cause as Error).message}`]);
  }
  const withDefaults = Value.Default(serverConfigSchema, parsed);
  if (Value.Check(serverConfigSchema, withDefaults)) return withDefaults;

  const problems = [...Value.Errors(serverConfigSchema, withDefaults)]
    .filter((issue) => issue.keyword !== 'boolean')
    .map(
      (issue) => `${issue.instancePath === '' ? '(root)' : issue.instancePath} ${issue.message}`,
    );
  throw configInvalid(path, problems);
}

export function writeServerConfig(dataDir: string, config: ServerConfig): void {
  const path = join(dataDir, serverConfigFile);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

/** Resolves a path of the configuration against the data folder; URLs pass unchanged. */
export function resolveDataPath(dataDir: string, value: string): string {
  if (/^postgres(ql)?:\/\//i.test(value) || isAbsolute(value)) return value;
  return join(dataDir, value);
}

/** A database URL with its password replaced, for output and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

function configInvalid(path: string, problems: string[]): UserPilotError {
  return new UserPilotError('UP_CONFIG_INVALID', `${path} is invalid: ${problems.join('; ')}.`, {
    hint: 'Fix every listed field and start again.',
    details: { path, problems },
  });
}
