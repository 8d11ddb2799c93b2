import { createSocket } from 'node:dgram';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createAgentLogger,
  loggerArguments,
  resolveSyslogMode,
} from '../../src/agent/agent-log.ts';

const syslogDefaults = { mode: 'logger' as const, loggerPath: '/usr/bin/logger' };

function captureStream() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('agent logger', () => {
  it('sends critical lines to a syslog receiver', async () => {
    const receiver = createSocket('udp4');
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const { port } = receiver.address();
    const received = new Promise<string>((resolve) =>
      receiver.once('message', (message) => resolve(message.toString('utf8'))),
    );
    const stderr = captureStream();
    const log = createAgentLogger({
      level: 'info',
      syslog: { ...syslogDefaults, server: '127.0.0.1', port },
      stderr: stderr.stream,
      env: {},
    });

    log.info('an ordinary line');
    log.fatal(
      { code: 'UP_AGENT_SERVICE_ERROR', agent_id: 'a-1', password: 'hunter2' },
      'Synchronization stopped',
    );
    const line = await received;
    receiver.close();

    // daemon (3) * 8 + crit (2) = 26.
    expect(line.startsWith('<26>')).toBe(true);
    expect(line).toContain('userpilot');
    expect(line).toContain('Synchronization stopped code=UP_AGENT_SERVICE_ERROR agent_id=a-1');
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('an ordinary line');
    expect(stderr.text()).toContain('"msg":"an ordinary line"');
  });

  it('prefixes lines with journald priorities under systemd', () => {
    const stderr = captureStream();
    const log = createAgentLogger({
      level: 'info',
      syslog: { ...syslogDefaults, mode: 'auto' },
      stderr: stderr.stream,
      env: { JOURNAL_STREAM: '8:1234' },
    });
    log.fatal('critical');
    log.warn('careful');
    log.info('fine');
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines.map((line) => line.slice(0, 3))).toEqual(['<2>', '<4>', '<6>']);
    expect(JSON.parse(lines[0]?.slice(3) ?? '')).toMatchObject({ level: 'fatal', msg: 'critical' });
  });

  it.each([
    ['auto without systemd', 'auto', {}, 'logger'],
    ['auto under systemd', 'auto', { JOURNAL_STREAM: '8:1' }, 'journald'],
    ['off', 'off', { JOURNAL_STREAM: '8:1' }, 'off'],
  ] as const)('resolves %s', (_name, mode, env, expected) => {
    expect(resolveSyslogMode(mode, env)).toBe(expected);
  });

  it('targets a Unix socket when configured', () => {
    expect(loggerArguments({ ...syslogDefaults, socket: '/tmp/log.sock' }, 'm')).toEqual([
      '-t',
      'userpilot',
      '-p',
      'daemon.crit',
      '--socket',
      '/tmp/log.sock',
      '--',
      'm',
    ]);
  });
});
