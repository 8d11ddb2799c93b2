import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, hostname, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../cli/version.ts';
import { systemClock } from '../core/clock.ts';
import { storedIdentity } from './agent-identity.ts';
import { agentLogFileName } from './agent-log.ts';
import { loadAgentConfig, type LoadedConfig } from './config.ts';
import { checkServiceClock, checkTarget, type CheckResult } from './diagnostics-checks.ts';
import { createServiceClient } from './agent-runtime.ts';
import { openStateDatabase, stateDbFileName } from './state-db.ts';
import { readAgentStatus } from './status-report.ts';

const logLinesKept = 500;
const redacted = '[redacted]';

export interface DiagnosticsOptions {
  configPath: string;
  /** The archive to write (.tar.gz). */
  output: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Writes one .tar.gz for support: versions and OS, the configuration with every secret
 * replaced, the agent's status, DNS/TCP/TLS checks of the service and the DC, the clock offset
 * to the service, and the last lines of the agent log. Every secret the configuration or the
 * state names (passwords, the agent's credential) is also removed from the copied log lines.
 */
export async function writeDiagnostics(options: DiagnosticsOptions): Promise<string> {
  const env = options.env ?? process.env;
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-diagnostics-'));
  try {
    let loaded: LoadedConfig | undefined;
    let configError: string | undefined;
    try {
      loaded = loadAgentConfig(options.configPath, env);
    } catch (error) {
      configError = error instanceof Error ? error.message : String(error);
    }
    const secrets = collectSecrets(loaded);
    const scrub = (text: string) => scrubSecrets(text, secrets);

    const checks = loaded === undefined ? [] : await runChecks(loaded, env);
    writeFileSync(
      join(dir, 'report.json'),
      scrub(
        JSON.stringify(
          {
            generatedAt: new Date().toISOString(),
            versions: versions(),
            os: osFacts(),
            configError,
            checks,
          },
          null,
          2,
        ),
      ),
    );
    writeFileSync(
      join(dir, 'config.json'),
      scrub(JSON.stringify(redactConfig(options.configPath), null, 2)),
    );
    if (loaded !== undefined) copyState(loaded.config.stateDir, dir, scrub, secrets);
    execFileSync('tar', ['-czf', options.output, '-C', dir, '.']);
    return options.output;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function versions(): Record<string, string> {
  return {
    userpilot: version,
    node: process.version,
    ...pick(process.versions, ['openssl', 'v8', 'uv']),
  };
}

function pick(source: NodeJS.ProcessVersions, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, String(source[key] ?? 'unknown')]));
}

function osFacts(): Record<string, string> {
  let osRelease = 'unknown';
  if (existsSync('/etc/os-release'))
    osRelease =
      /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osRelease;
  return {
    platform: platform(),
    release: release(),
    arch: arch(),
    hostname: hostname(),
    distribution: osRelease,
  };
}

async function runChecks(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const { service, directory } = loaded.config;
  const serviceUrl = new URL(service.url);
  const dcUrl = new URL(directory.url);
  const results = [
    ...(await checkTarget({
      name: 'service',
      host: serviceUrl.hostname,
      port: Number(serviceUrl.port || 443),
      ...(service.caFile === undefined ? {} : { caFile: service.caFile }),
      ...(service.fingerprint === undefined ? {} : { fingerprint: service.fingerprint }),
    })),
    ...(await checkTarget({
      name: 'directory',
      host: dcUrl.hostname,
      port: Number(dcUrl.port || (dcUrl.protocol === 'ldaps:' ? 636 : 389)),
      ...(directory.caFile === undefined ? {} : { caFile: directory.caFile }),
      ...(directory.tlsServerName === undefined ? {} : { servername: directory.tlsServerName }),
    })),
  ];
  const client = createServiceClient(loaded, systemClock, env);
  try {
    results.push(await checkServiceClock('service', serviceUrl, () => client.fetchDateHeader()));
  } finally {
    client.close();
  }
  return results;
}

/** Collects every secret value the agent uses, longest first, so a longer one is replaced whole. */
function collectSecrets(loaded: LoadedConfig | undefined): string[] {
  if (loaded === undefined) return [];
  const values = [loaded.secrets.installPassword, loaded.secrets.bindPassword];
  const dbPath = join(loaded.config.stateDir, stateDbFileName);
  if (existsSync(dbPath)) {
    const db = openStateDatabase(loaded.config.stateDir, { readonly: true });
    const identity = storedIdentity(db);
    db.close();
    if (identity !== undefined) values.push(identity.credential);
  }
  return values
    .filter((value) => value.length >= 4)
    .sort((left, right) => right.length - left.length);
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(redacted);
  return result;
}

/** Reads the configuration file and replaces inline secrets. File and variable names are kept. */
function redactConfig(path: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return {
      error: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return redactValue(parsed, '');
}

function redactValue(value: unknown, key: string): unknown {
  if (/password|secret|credential|token|key$/i.test(key) && typeof value === 'string')
    return redacted;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]),
    );
  }
  return value;
}

function copyState(
  stateDir: string,
  dir: string,
  scrub: (text: string) => string,
  secrets: readonly string[],
): void {
  const dbPath = join(stateDir, stateDbFileName);
  if (existsSync(dbPath)) {
    const db = openStateDatabase(stateDir, { readonly: true });
    try {
      writeFileSync(join(dir, 'status.json'), scrub(JSON.stringify(readAgentStatus(db), null, 2)));
    } finally {
      db.close();
    }
  }
  const logPath = join(stateDir, agentLogFileName);
  if (existsSync(logPath)) {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-logLinesKept);
    writeFileSync(join(dir, 'agent.log'), `${scrubSecrets(lines.join('\n'), secrets)}\n`);
  }
}
