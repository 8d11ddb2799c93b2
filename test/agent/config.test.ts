import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/agent/config.ts';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';

const validConfig = {
  stateDir: '/var/lib/userpilot',
  service: { url: 'https://127.0.0.1:8443', installUser: 'agent', installPassword: 'install-pw' },
  directory: {
    url: 'ldaps://127.0.0.1:636',
    bindDn: 'sync@lab.example',
    bindPassword: { env: 'TEST_BIND_PASSWORD' },
    scopeDn: 'OU=Staff,DC=lab,DC=example',
  },
};

function writeConfig(content: unknown, mode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'up-config-'));
  const path = join(dir, 'agent.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, mode);
  return path;
}

function loadError(path: string, env: NodeJS.ProcessEnv = {}): UserPilotError {
  try {
    loadAgentConfig(path, env);
  } catch (error) {
    if (isUserPilotError(error)) return error;
    throw error;
  }
  throw new Error('loadAgentConfig accepted the file');
}

describe('agent configuration', () => {
  it('fills defaults and reads secrets', () => {
    const path = writeConfig(validConfig);
    const loaded = loadAgentConfig(path, { TEST_BIND_PASSWORD: 'bind-pw' });
    expect(loaded.config.directory.pollSeconds).toBe(3);
    expect(loaded.config.sync.fullReconcileHours).toBe(24);
    expect(loaded.config.sync.batchSize).toBe(1000);
    expect(loaded.config.log.syslog.mode).toBe('auto');
    expect(loaded.secrets).toEqual({ installPassword: 'install-pw', bindPassword: 'bind-pw' });
  });

  it.each([0o644, 0o640, 0o604])('rejects mode %o with chmod 600', (mode) => {
    const path = writeConfig(validConfig, mode);
    const error = loadError(path, { TEST_BIND_PASSWORD: 'x' });
    expect(error.code).toBe('UP_CONFIG_INSECURE_MODE');
    expect(error.toLine()).toContain(`chmod 600 ${path}`);
  });

  it('reports every problem at once', () => {
    const path = writeConfig({
      stateDir: '',
      service: { url: 'ftp://x', installPassword: { file: 3 }, color: 'red' },
      directory: { ...validConfig.directory, pollSeconds: 0 },
      log: { level: 'loud' },
    });
    const error = loadError(path);
    expect(error.code).toBe('UP_CONFIG_INVALID');
    const paths = (error.details.problems as { path: string }[]).map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'stateDir',
        'service.installUser',
        'service.color',
        'service.url',
        'service.installPassword',
        'directory.pollSeconds',
        'log.level',
      ]),
    );
    expect(paths).toHaveLength(7);
    expect(error.message).toContain('service.url: must match pattern');
  });

  it('reports unreadable secrets with the others', () => {
    const path = writeConfig({
      ...validConfig,
      service: { ...validConfig.service, installPassword: { file: '/nonexistent/secret' } },
    });
    const error = loadError(path, {});
    const problems = error.details.problems as { path: string; message: string }[];
    expect(problems.map((problem) => problem.path)).toEqual([
      'service.installPassword',
      'directory.bindPassword',
    ]);
    expect(problems[1]?.message).toContain('TEST_BIND_PASSWORD is not set');
  });

  it('reads a secret file and rejects a readable one', () => {
    const secretPath = writeConfig('file-pw\n');
    const path = writeConfig({
      ...validConfig,
      service: { ...validConfig.service, installPassword: { file: secretPath } },
    });
    expect(loadAgentConfig(path, { TEST_BIND_PASSWORD: 'x' }).secrets.installPassword).toBe(
      'file-pw',
    );
    chmodSync(secretPath, 0o644);
    const error = loadError(path, { TEST_BIND_PASSWORD: 'x' });
    expect(error.message).toContain(`chmod 600 ${secretPath}`);
  });

  it('never echoes a secret value in problems', () => {
    const path = writeConfig({
      ...validConfig,
      service: { ...validConfig.service, installPassword: '' },
    });
    const error = loadError(path, { TEST_BIND_PASSWORD: 'x' });
    expect(error.message).toContain('service.installPassword');
    expect(JSON.stringify(error.details)).not.toContain('found');
  });

  it.each([
    ['not JSON', '{ "service": ', '(file)'],
    [
      'http to a remote host',
      { ...validConfig, service: { ...validConfig.service, url: 'http://10.1.2.3' } },
      'service.url',
    ],
    [
      'both CA file and fingerprint',
      {
        ...validConfig,
        service: { ...validConfig.service, caFile: '/ca.pem', fingerprint: 'ab'.repeat(32) },
      },
      'service.fingerprint',
    ],
    [
      'syslog server by name',
      { ...validConfig, log: { syslog: { server: 'logs.example', port: 514 } } },
      'log.syslog.server',
    ],
  ])('rejects %s', (_name, content, problemPath) => {
    const path = writeConfig(content);
    const error = loadError(path, { TEST_BIND_PASSWORD: 'x' });
    expect(error.code).toBe('UP_CONFIG_INVALID');
    const paths = (error.details.problems as { path: string }[]).map((problem) => problem.path);
    expect(paths).toContain(problemPath);
  });

  it('names a missing file', () => {
    const error = loadError('/nonexistent/agent.json');
    expect(error.code).toBe('UP_AGENT_CONFIG_MISSING');
    expect(error.toLine()).toContain('userpilot setup');
  });
});
