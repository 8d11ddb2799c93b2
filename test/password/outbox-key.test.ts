import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateOutboxKey } from '../../src/agent/password/outbox-key.ts';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';

function keyPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'userpilot-key-')), 'password-outbox.key');
}

describe('outbox key file', () => {
  it('is created with mode 0600 on first use', () => {
    const path = keyPath();
    const key = loadOrCreateOutboxKey(path);
    expect(key.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(key.toString('hex'));
  });

  it('returns the same key on later use', () => {
    const path = keyPath();
    const first = loadOrCreateOutboxKey(path);
    expect(loadOrCreateOutboxKey(path).equals(first)).toBe(true);
  });

  it.each([0o644, 0o640, 0o604])('rejects a key file of mode %o', (mode) => {
    const path = keyPath();
    loadOrCreateOutboxKey(path);
    chmodSync(path, mode);
    let caught: unknown;
    try {
      loadOrCreateOutboxKey(path);
    } catch (error) {
      caught = error;
    }
    expect(isUserPilotError(caught, 'UP_PASSWORD_KEY_INSECURE')).toBe(true);
    expect((caught as UserPilotError).hint).toContain(`chmod 600 ${path}`);
  });

  it.each(['', 'abc', 'z'.repeat(64), 'ab'.repeat(31)])('rejects damaged content %j', (text) => {
    const path = keyPath();
    writeFileSync(path, text, { mode: 0o600 });
    expect(() => loadOrCreateOutboxKey(path)).toThrow(/does not hold a 256-bit key/);
  });
});
