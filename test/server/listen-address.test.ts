import { describe, expect, it } from 'vitest';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import {
  assertPlainHttpAllowed,
  isLoopbackAddress,
  parseListenAddress,
} from '../../src/server/listen-address.ts';

describe('parseListenAddress', () => {
  it.each([
    { value: '127.0.0.1:8443', host: '127.0.0.1', port: 8443 },
    { value: '0.0.0.0:443', host: '0.0.0.0', port: 443 },
    { value: '[::1]:8443', host: '::1', port: 8443 },
    { value: '127.0.0.1:0', host: '127.0.0.1', port: 0 },
  ])('parses $value', ({ value, host, port }) => {
    expect(parseListenAddress(value)).toEqual({ host, port });
  });

  it.each(['localhost:8443', '127.0.0.1', '127.0.0.1:70000', '::1:8443', 'example.test:443', ''])(
    'rejects "%s"',
    (value) => {
      expect(() => parseListenAddress(value)).toThrow(
        expect.objectContaining({ code: 'UP_SERVER_LISTEN_INVALID' }),
      );
    },
  );
});

describe('isLoopbackAddress', () => {
  it.each([
    { host: '127.0.0.1', loopback: true },
    { host: '127.10.20.30', loopback: true },
    { host: '::1', loopback: true },
    { host: '::ffff:127.0.0.1', loopback: true },
    { host: '0.0.0.0', loopback: false },
    { host: '::', loopback: false },
    { host: '10.0.0.1', loopback: false },
    { host: '128.0.0.1', loopback: false },
  ])('classifies $host', ({ host, loopback }) => {
    expect(isLoopbackAddress(host)).toBe(loopback);
  });
});

describe('assertPlainHttpAllowed', () => {
  it('allows a loopback address', () => {
    expect(() => assertPlainHttpAllowed({ host: '127.0.0.1', port: 8080 })).not.toThrow();
  });

  it('rejects every other address with its own code', () => {
    let caught: unknown;
    try {
      assertPlainHttpAllowed({ host: '0.0.0.0', port: 8080 });
    } catch (error) {
      caught = error;
    }
    expect(isUserPilotError(caught, 'UP_SERVER_INSECURE_LISTEN')).toBe(true);
    expect((caught as Error).message).toContain('0.0.0.0:8080');
  });
});
