import { readFileSync } from 'node:fs';
import { UserPilotError } from '../../protocol/errors.ts';
import type { SecretSource } from '../config-schema.ts';

/** Where setup reads one secret from: a file, an environment variable or standard input. */
export interface SecretFlags {
  file?: string;
  env?: string;
  stdin?: boolean;
}

/** A secret for setup: its value, to check it now, and how the configuration refers to it. */
export interface SetupSecret {
  value: string;
  /** A file stays a file reference; a value from a variable or stdin is written inline (mode 0600). */
  source: SecretSource;
}

/**
 * Reads a secret given by flags, so it never has to stand in the command line or the shell
 * history. Returns undefined when no flag names one. `stdinText` is the whole of standard
 * input, read once by the caller, since two secrets cannot both come from it.
 */
export function readSecretFlags(
  name: string,
  flags: SecretFlags,
  env: NodeJS.ProcessEnv,
  stdinText: () => string,
): SetupSecret | undefined {
  const given = [flags.file, flags.env, flags.stdin === true ? 'stdin' : undefined].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new UserPilotError(
      'UP_AGENT_SETUP_INVALID',
      `Give the ${name} one way only: a file, an environment variable or standard input.`,
    );
  }
  if (flags.file !== undefined) {
    const value = readFileSync(flags.file, 'utf8').replace(/\r?\n$/, '');
    return { value, source: { file: flags.file } };
  }
  if (flags.env !== undefined) {
    const value = env[flags.env];
    if (value === undefined || value === '') {
      throw new UserPilotError(
        'UP_AGENT_SETUP_INVALID',
        `The environment variable ${flags.env} for the ${name} is not set.`,
      );
    }
    return { value, source: value };
  }
  if (flags.stdin === true) {
    const value = stdinText().replace(/\r?\n$/, '');
    if (value === '')
      throw new UserPilotError('UP_AGENT_SETUP_INVALID', `Standard input held no ${name}.`);
    return { value, source: value };
  }
  return undefined;
}

/** Reads all of standard input once. */
export function readStdinOnce(): () => string {
  let text: string | undefined;
  return () => {
    text ??= readFileSync(0, 'utf8');
    return text;
  };
}
