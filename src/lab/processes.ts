import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the lab started: its PID and its start time, so a reused PID is never mistaken. */
export interface ProcessRecord {
  pid: number;
  startTicks: string;
}

/**
 * Starts a program detached from this process (own session, output appended to a log file),
 * so it keeps running after the command that started it exits.
 */
export function spawnDetached(
  command: string,
  args: readonly string[],
  options: { logFile: string; env?: Record<string, string> },
): ProcessRecord {
  const output = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', output, output],
      env: { ...process.env, ...options.env },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`${command} did not start`);
    return { pid: child.pid, startTicks: processStartTicks(child.pid) ?? '' };
  } finally {
    closeSync(output);
  }
}

/** Reads the start time of a process (field 22 of /proc/PID/stat), or undefined if it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function isRunning(record: ProcessRecord): boolean {
  const ticks = processStartTicks(record.pid);
  if (ticks === undefined || ticks !== record.startTicks) return false;
  const state = readProcessState(record.pid);
  return state !== 'Z' && state !== 'X';
}

export function writePidFile(file: string, record: ProcessRecord): void {
  writeFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readPidFile(file: string): ProcessRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProcessRecord>;
    if (typeof value.pid !== 'number' || typeof value.startTicks !== 'string') return undefined;
    return { pid: value.pid, startTicks: value.startTicks };
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM, waits until the process is gone, and sends SIGKILL after the grace period. */
export async function stopProcess(record: ProcessRecord, graceMs = 30_000): Promise<void> {
  if (!isRunning(record)) return;
  signal(record.pid, 'SIGTERM');
  if (await waitUntilGone([record], graceMs)) return;
  signal(record.pid, 'SIGKILL');
  await waitUntilGone([record], 10_000);
}

/** Waits until none of the processes runs; returns false when time ran out first. */
export async function waitUntilGone(
  records: readonly ProcessRecord[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (records.some(isRunning)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Waits until the processes have left the process table. A stopped detached process whose
 * starter has exited is a zombie until init reaps it, which takes a few seconds on some
 * machines. Returns false when time ran out first.
 */
export async function waitUntilReaped(
  records: readonly ProcessRecord[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (records.some((record) => processStartTicks(record.pid) === record.startTicks)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // The process ended between the check and the signal.
  }
}

function readProcessState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
