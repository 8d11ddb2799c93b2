import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { Value } from 'typebox/value';
import { UserPilotError } from '../protocol/errors.ts';
import { AgentConfigSchema, type AgentConfig } from './config-schema.ts';
import { collectConfigProblems, type ConfigProblem } from './config-problems.ts';
import { resolveSecret } from './secrets.ts';

export { defaultConfigPath, type AgentConfig } from './config-schema.ts';

/** The secrets of a configuration, read from where it says they are. */
export interface AgentSecrets {
  installPassword: string;
  bindPassword: string;
}

export interface LoadedConfig {
  path: string;
  config: AgentConfig;
  secrets: AgentSecrets;
}

/**
 * Reads and validates the agent configuration file. Rejects a file that group or others can
 * read (UP_CONFIG_INSECURE_MODE) before parsing it, and reports every problem of the content
 * together, secrets that cannot be read included (UP_CONFIG_INVALID).
 */
export function loadAgentConfig(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  checkConfigFileMode(path);
  const parsed = parseConfigJson(path);
  return validateAgentConfig(parsed, env, path);
}

/** Validates parsed configuration content; `path` only names the source in messages. */
export function validateAgentConfig(
  parsed: unknown,
  env: NodeJS.ProcessEnv,
  path: string,
): LoadedConfig {
  const withDefaults = Value.Default(AgentConfigSchema, Value.Clone(parsed));
  const problems = collectConfigProblems(AgentConfigSchema, withDefaults);
  if (problems.length > 0) throw configInvalid(path, problems);

  const config = withDefaults as AgentConfig;
  const crossProblems = checkConfigConsistency(config);
  const installPassword = resolveSecret(config.service.installPassword, env);
  const bindPassword = resolveSecret(config.directory.bindPassword, env);
  if (!installPassword.ok)
    crossProblems.push({ path: 'service.installPassword', message: installPassword.problem });
  if (!bindPassword.ok)
    crossProblems.push({ path: 'directory.bindPassword', message: bindPassword.problem });
  if (crossProblems.length > 0 || !installPassword.ok || !bindPassword.ok) {
    throw configInvalid(path, crossProblems);
  }
  return {
    path,
    config,
    secrets: { installPassword: installPassword.value, bindPassword: bindPassword.value },
  };
}

function checkConfigFileMode(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UserPilotError(
      'UP_AGENT_CONFIG_MISSING',
      `Cannot read the configuration file ${path} (${code}).`,
      {
        hint: 'Run `userpilot setup` to write it, or give its path with --config.',
        details: { path },
      },
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new UserPilotError(
      'UP_CONFIG_INSECURE_MODE',
      `The configuration file ${path} holds secrets but is readable by group or others (mode ${(mode & 0o777).toString(8)}).`,
      { hint: `Run \`chmod 600 ${path}\` and start again.`, details: { path } },
    );
  }
}

function parseConfigJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw configInvalid(path, [{ path: '(file)', message: `is not valid JSON: ${reason}` }]);
  }
}

function checkConfigConsistency(config: AgentConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let url: URL | undefined;
  try {
    url = new URL(config.service.url);
  } catch {
    problems.push({
      path: 'service.url',
      message: `is not a valid URL (found "${config.service.url}")`,
    });
  }
  if (url?.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push({
      path: 'service.url',
      message: 'may use http:// only for a loopback address; use https://',
    });
  }
  if (config.service.caFile !== undefined && config.service.fingerprint !== undefined) {
    problems.push({
      path: 'service.fingerprint',
      message: 'set either service.caFile or service.fingerprint, not both',
    });
  }
  const { server, port } = config.log.syslog;
  if (server !== undefined && isIP(server) === 0) {
    problems.push({
      path: 'log.syslog.server',
      message: `must be an IP address (found "${server}")`,
    });
  }
  if ((server === undefined) !== (port === undefined)) {
    problems.push({
      path: 'log.syslog.port',
      message: 'set log.syslog.server and log.syslog.port together',
    });
  }
  return problems;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function configInvalid(path: string, problems: ConfigProblem[]): UserPilotError {
  const lines = problems.map((problem) => `  ${problem.path}: ${problem.message}`);
  return new UserPilotError(
    'UP_CONFIG_INVALID',
    `The configuration file ${path} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n`,
    { hint: 'Fix them all and start again.', details: { path, problems } },
  );
}

/**
 * Reads only the state folder of a configuration file, for commands that must work without the
 * secrets (`userpilot status`). The file's mode is still checked.
 */
export function readStateDir(path: string): string {
  checkConfigFileMode(path);
  const parsed = parseConfigJson(path);
  const stateDir = (parsed as { stateDir?: unknown } | null)?.stateDir;
  return typeof stateDir === 'string' && stateDir !== '' ? stateDir : '/var/lib/userpilot';
}
