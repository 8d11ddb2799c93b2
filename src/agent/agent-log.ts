import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type DestinationStream } from 'pino';
import { createLogger, type Logger } from '../core/log.ts';
import type { AgentConfig } from './config-schema.ts';

/** The agent's log file inside its state folder; `userpilot diagnose` reads its last lines. */
export const agentLogFileName = 'agent.log';

/** Rotate the log file at start once it is larger than this, in bytes. */
const maxLogFileBytes = 20 * 1024 * 1024;

type SyslogConfig = AgentConfig['log']['syslog'];

export interface AgentLoggerOptions {
  level: string;
  syslog: SyslogConfig;
  /** Folder for the log file; no file is written when undefined. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Standard error by default; tests pass their own stream. */
  stderr?: NodeJS.WritableStream;
}

// Syslog severities of pino's levels, for the `<N>` prefix journald reads from each line.
const journalPriority: Record<string, number> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/**
 * Creates the agent's logger: JSON lines on standard error and in the state folder's log
 * file. Critical errors (pino's `fatal` level) also reach the system log under the identifier
 * `userpilot`: under systemd through journald's `<2>` line prefix, otherwise through
 * `logger -t userpilot -p daemon.crit`.
 */
export function createAgentLogger(options: AgentLoggerOptions): Logger {
  const env = options.env ?? process.env;
  const mode = resolveSyslogMode(options.syslog.mode, env);
  const stderr = options.stderr ?? process.stderr;
  const streams: pino.StreamEntry[] = [
    { level: 'trace', stream: mode === 'journald' ? journalStream(stderr) : toDestination(stderr) },
  ];
  if (options.stateDir !== undefined) {
    streams.push({ level: 'trace', stream: openLogFile(options.stateDir) });
  }
  if (mode === 'logger') {
    streams.push({ level: 'fatal', stream: loggerStream(options.syslog, stderr) });
  }
  return createLogger({ level: options.level, destination: pino.multistream(streams) });
}

/** Where critical lines go for a configured mode; `auto` follows JOURNAL_STREAM. */
export function resolveSyslogMode(
  mode: SyslogConfig['mode'],
  env: NodeJS.ProcessEnv,
): 'journald' | 'logger' | 'off' {
  if (mode === 'auto')
    return env.JOURNAL_STREAM === undefined || env.JOURNAL_STREAM === '' ? 'logger' : 'journald';
  return mode;
}

function toDestination(stream: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => stream.write(line) };
}

function journalStream(stderr: NodeJS.WritableStream): DestinationStream {
  return {
    write: (line: string) => {
      const level = /"level":"(\w+)"/.exec(line)?.[1] ?? 'info';
      stderr.write(`<${journalPriority[level] ?? 6}>${line}`);
    },
  };
}

function openLogFile(stateDir: string): DestinationStream {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, agentLogFileName);
  if (existsSync(path) && statSync(path).size > maxLogFileBytes) renameSync(path, `${path}.1`);
  return pino.destination({ dest: path, mkdir: true, sync: false, mode: 0o600 });
}

/** The arguments of `logger` for one critical message. */
export function loggerArguments(syslog: SyslogConfig, message: string): string[] {
  const target: string[] = [];
  if (syslog.socket !== undefined) target.push('--socket', syslog.socket);
  if (syslog.server !== undefined && syslog.port !== undefined) {
    target.push('--server', syslog.server, '--port', String(syslog.port), '--udp');
  }
  return ['-t', 'userpilot', '-p', 'daemon.crit', ...target, '--', message];
}

/** Sends each fatal line through `logger`; a failure of logger itself is reported on stderr once. */
function loggerStream(syslog: SyslogConfig, stderr: NodeJS.WritableStream): Writable {
  let warned = false;
  const warn = (reason: string) => {
    if (warned) return;
    warned = true;
    stderr.write(
      `userpilot: cannot write to the system log through ${syslog.loggerPath}: ${reason}\n`,
    );
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const child = spawn(
        syslog.loggerPath,
        loggerArguments(syslog, summarizeLine(chunk.toString('utf8'))),
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let errorText = '';
      child.stderr.on('data', (data: Buffer) => (errorText += data.toString('utf8')));
      child.on('error', (error) => warn(error.message));
      child.on('close', (code) => {
        if (code !== 0 && code !== null) warn(errorText.trim() || `exit ${code}`);
      });
      callback();
    },
  });
}

/** One readable syslog line from a JSON log line: the message, then code and ids when present. */
export function summarizeLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trim();
  }
  const parts = [typeof entry.msg === 'string' ? entry.msg : ''];
  for (const key of ['code', 'agent_id', 'tenant_id', 'run_id']) {
    const value = entry[key];
    if (typeof value === 'string' || typeof value === 'number') parts.push(`${key}=${value}`);
  }
  return parts.join(' ');
}
