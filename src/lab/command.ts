import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { UserPilotError } from '../protocol/errors.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  /** Appends the command line (secrets replaced) and its output to this file. */
  logFile?: string;
  /** Strings replaced by `[redacted]` in the log file and in error messages. */
  secrets?: readonly string[];
  timeoutMs?: number;
}

/** Runs a program without a shell and collects its output; never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 300_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = {
        code: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (options.logFile !== undefined)
        logCommand(options.logFile, command, args, result, options);
      resolvePromise(result);
    });
    if (child.stdin !== null) {
      // A program that exits before reading all its input closes the pipe; its exit code
      // reports the failure, so the write error is not one.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Runs a program and throws UP_LAB_COMMAND_FAILED, naming the log file, when it fails. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions & { step: string },
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code === 0) return result;
  const lastLine = redact(lastLines(result.stderr || result.stdout), options.secrets ?? []);
  throw new UserPilotError(
    'UP_LAB_COMMAND_FAILED',
    `${options.step} failed (${command} exited with ${result.code}): ${lastLine}.`,
    {
      hint: `Read ${options.logFile ?? 'the command output'} for the full output.`,
      details: { command, exitCode: result.code, logFile: options.logFile },
    },
  );
}

/** Builds the argument list that runs a program inside a network namespace with extra env. */
export function inNamespace(
  namespace: string,
  env: Record<string, string>,
  command: string,
  args: readonly string[],
): [string, string[]] {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return ['ip', ['netns', 'exec', namespace, 'env', ...assignments, command, ...args]];
}

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join('[redacted]');
  }
  return result;
}

function lastLines(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.slice(-2).join(' / ').slice(0, 400) || 'no output';
}

function logCommand(
  logFile: string,
  command: string,
  args: readonly string[],
  result: CommandResult,
  options: RunOptions,
): void {
  const secrets = options.secrets ?? [];
  const header = `\n$ ${redact([command, ...args].join(' '), secrets)}\n`;
  const body = redact(`${result.stdout}${result.stderr}`, secrets);
  appendFileSync(logFile, `${header}${body}[exit ${result.code}]\n`);
}
