import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger } from '../../src/core/log.ts';

function captureLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

describe('logger', () => {
  const secret = 'Sw0rdfish-Ünïcode-2024';
  const cases: { name: string; fields: Record<string, unknown> }[] = [
    { name: 'top-level password', fields: { password: secret } },
    { name: 'nested bind password', fields: { config: { bindPassword: secret } } },
    { name: 'two levels deep token', fields: { request: { headers: { authorization: secret } } } },
    { name: 'install password', fields: { tenant: { installPassword: secret } } },
  ];

  it.each(cases)('removes $name', ({ fields }) => {
    const { lines, logger } = captureLogger();
    componentLogger(logger, 'test').info(fields, 'configured');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  it('writes fixed keys as JSON', () => {
    const { lines, logger } = captureLogger();
    componentLogger(logger, 'directory').info({ entry_dn: 'CN=Doe\\, Alice,OU=Staff' }, 'read');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line.component).toBe('directory');
    expect(line.entry_dn).toBe('CN=Doe\\, Alice,OU=Staff');
    expect(line.level).toBe('info');
  });
});
