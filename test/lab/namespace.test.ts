import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { LabFacts } from '../../src/lab/facts.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const run = promisify(execFile);

/** Runs a command inside the lab's network namespace and returns its standard output. */
async function inLab(facts: LabFacts, command: string, args: string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', facts.namespace, command, ...args]);
  return stdout;
}

describeLab('lab network namespace', () => {
  let facts: LabFacts;
  beforeAll(() => {
    facts = labFacts();
  });

  it('has only the loopback interface', async () => {
    const links = (await inLab(facts, 'ip', ['-o', 'link'])).trim().split('\n');
    expect(links.map((line) => line.split(':')[1]?.trim())).toEqual(['lo']);
  });

  it.each([
    { family: 'IPv4', flag: '-4' },
    { family: 'IPv6', flag: '-6' },
  ])('has no $family route off loopback', async ({ flag }) => {
    const routes = await inLab(facts, 'ip', [flag, 'route', 'show', 'table', 'all']);
    const offLoopback = routes
      .trim()
      .split('\n')
      .filter((line) => line !== '' && !/\bdev lo\b/.test(line));
    expect(offLoopback).toEqual([]);
  });

  it('fails a connect off loopback at once with ENETUNREACH', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737); with no route the kernel rejects the connect before
    // any packet is built.
    const script = [
      "const socket = require('node:net').connect(389, '192.0.2.1');",
      "socket.on('error', (error) => { console.log(error.code); process.exit(0); });",
      "socket.on('connect', () => { console.log('CONNECTED'); process.exit(1); });",
    ].join('\n');
    const output = await inLab(facts, process.execPath, ['-e', script]);
    expect(output.trim()).toBe('ENETUNREACH');
  });

  it('runs Samba inside the namespace', async () => {
    expect(facts.sambaPid).toBeDefined();
    const pids = (await run('ip', ['netns', 'pids', facts.namespace])).stdout.split('\n');
    expect(pids).toContain(String(facts.sambaPid));
  });
});
