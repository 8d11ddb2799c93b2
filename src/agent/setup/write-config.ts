import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretSource } from '../config-schema.ts';
import { validateAgentConfig } from '../config.ts';

export interface SetupResult {
  stateDir: string;
  service: {
    url: string;
    installUser: string;
    installPassword: SecretSource;
    caFile?: string;
    fingerprint?: string;
    proxy?: string;
  };
  directory: {
    url: string;
    bindDn: string;
    bindPassword: SecretSource;
    caFile?: string;
    tlsServerName?: string;
    scopeDn: string;
  };
}

/**
 * Validates the configuration as the agent will at start, then writes it with mode 0600
 * through a temporary file, so a half-written file never replaces a working one.
 */
export function writeAgentConfigFile(
  path: string,
  config: SetupResult,
  env: NodeJS.ProcessEnv,
): void {
  validateAgentConfig(config, env, path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
