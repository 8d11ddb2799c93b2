import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';
import {
  readServerConfig,
  redactDatabaseUrl,
  resolveDataPath,
} from '../../src/server/server-config.ts';

describe('readServerConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'userpilot-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (config: unknown) =>
    writeFileSync(
      join(dir, 'server.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );

  const failure = (): UserPilotError => {
    try {
      readServerConfig(dir);
    } catch (error) {
      if (isUserPilotError(error)) return error;
      throw error;
    }
    throw new Error('readServerConfig accepted the file');
  };

  it('fills defaults', () => {
    write({
      database: 'userpilot.sqlite',
      hostname: 'mail.lab.test',
      tls: { certFile: 'tls/server.crt', keyFile: 'tls/server.key' },
    });

    const config = readServerConfig(dir);
    expect(config.listen).toBe('127.0.0.1:8443');
    expect(config.leaseTtlSeconds).toBe(90);
  });

  it('reports every problem at once', () => {
    write({ database: '', hostname: 'h', tls: { certFile: 'c' }, leaseTtlSeconds: 5, extra: 1 });

    const error = failure();
    const problems = error.details.problems as string[];
    expect(error.code).toBe('UP_CONFIG_INVALID');
    expect(problems.some((problem) => problem.startsWith('/database'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('/leaseTtlSeconds'))).toBe(true);
    expect(problems.some((problem) => problem.includes('keyFile'))).toBe(true);
    expect(problems.some((problem) => problem.includes('additional'))).toBe(true);
  });

  it('rejects a file that is not JSON', () => {
    write('{ database: ');

    expect(failure().code).toBe('UP_CONFIG_INVALID');
  });

  it('names a missing file', () => {
    const error = failure();

    expect(error.code).toBe('UP_SERVER_DATA_MISSING');
    expect(error.message).toContain(join(dir, 'server.json'));
  });
});

describe('redactDatabaseUrl', () => {
  it.each([
    {
      url: 'postgres://app:s3cret@10.0.0.5/userpilot',
      expected: 'postgres://app:***@10.0.0.5/userpilot',
    },
    { url: 'postgresql://app@db/userpilot', expected: 'postgresql://app@db/userpilot' },
    { url: 'userpilot.sqlite', expected: 'userpilot.sqlite' },
  ])('shows $expected', ({ url, expected }) => {
    expect(redactDatabaseUrl(url)).toBe(expected);
  });
});

describe('resolveDataPath', () => {
  it.each([
    { value: 'userpilot.sqlite', expected: '/srv/up/userpilot.sqlite' },
    { value: '/var/lib/up.sqlite', expected: '/var/lib/up.sqlite' },
    { value: 'postgres://db/up', expected: 'postgres://db/up' },
  ])('resolves $value', ({ value, expected }) => {
    expect(resolveDataPath('/srv/up', value)).toBe(expected);
  });
});
