import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEndpoint, parseRoute, startRelay } from '../../src/lab/relay.ts';

describe('relay endpoints', () => {
  it.each([
    { text: 'tcp:127.0.0.1:636', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 636 } },
    { text: 'tcp:[::1]:389', endpoint: { kind: 'tcp', host: '::1', port: 389 } },
    {
      text: 'unix:/tmp/lab/run/ldaps.sock',
      endpoint: { kind: 'unix', path: '/tmp/lab/run/ldaps.sock' },
    },
  ])('parses $text', ({ text, endpoint }) => {
    expect(parseEndpoint(text)).toEqual(endpoint);
  });

  it.each(['tcp:192.0.2.1:636', 'tcp:example.test:636', 'tcp:0.0.0.0:636', 'udp:127.0.0.1:53'])(
    'rejects %s, which is not loopback',
    (text) => {
      expect(() => parseEndpoint(text)).toThrow(/invalid relay endpoint/);
    },
  );

  it('rejects a route without a target', () => {
    expect(() => parseRoute('tcp:127.0.0.1:1')).toThrow(/LISTEN=TARGET/);
  });
});

describe('relay', () => {
  it('forwards bytes both ways between a Unix socket and TCP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'userpilot-relay-'));
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    if (address === null || typeof address === 'string') throw new Error('no echo port');
    const socketPath = join(dir, 'echo.sock');
    const servers = await startRelay([
      parseRoute(`unix:${socketPath}=tcp:127.0.0.1:${address.port}`),
    ]);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const client = connect(socketPath, () => client.write('ping'));
        client.on('data', (data) => {
          resolve(data.toString());
          client.destroy();
        });
        client.on('error', reject);
      });
      expect(reply).toBe('ping');
    } finally {
      for (const server of servers) server.close();
      echo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
