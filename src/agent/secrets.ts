import { readFileSync, statSync } from 'node:fs';
import type { SecretSource } from './config-schema.ts';

/** The value of a secret, or why it could not be read. Never holds the secret in `problem`. */
export type SecretResult = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Reads a secret given inline, as {file} or as {env}. A file that group or others can read is
 * rejected, as the configuration file itself is.
 */
export function resolveSecret(source: SecretSource, env: NodeJS.ProcessEnv): SecretResult {
  if (typeof source === 'string') return { ok: true, value: source };
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined || value === '') {
      return { ok: false, problem: `environment variable ${source.env} is not set or empty` };
    }
    return { ok: true, value };
  }
  return readSecretFile(source.file);
}

function readSecretFile(file: string): SecretResult {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    return { ok: false, problem: `cannot read secret file ${file}: ${errorCode(error)}` };
  }
  if ((mode & 0o077) !== 0) {
    return {
      ok: false,
      problem: `secret file ${file} is readable by group or others; run chmod 600 ${file}`,
    };
  }
  const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (value === '') return { ok: false, problem: `secret file ${file} is empty` };
  return { ok: true, value };
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error) return String(error.code);
  return String(error);
}
