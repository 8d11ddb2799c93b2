import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ensureLabPackages, labPackages, missingPrograms } from '../../src/lab/packages.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { describeLab } from '../support/lab.ts';

const log = pino({ level: 'silent' });

describe('lab packages', () => {
  it('names the packages when Samba is missing and cannot be installed', async () => {
    const error: unknown = await ensureLabPackages(log, '/dev/null', {
      findMissing: () => Promise.resolve(['/usr/sbin/samba']),
      canInstall: false,
    }).catch((caught: unknown) => caught);
    expect(isUserPilotError(error, 'UP_LAB_SAMBA_MISSING')).toBe(true);
    const line = (error as { toLine(): string }).toLine();
    expect(line).toContain('/usr/sbin/samba');
    expect(line).toContain(`apt-get install --no-install-recommends ${labPackages.join(' ')}`);
  });

  it('does nothing when every program is present', async () => {
    await expect(
      ensureLabPackages(log, '/dev/null', {
        findMissing: () => Promise.resolve([]),
        canInstall: false,
      }),
    ).resolves.toBeUndefined();
  });
});

describeLab('lab packages on a lab machine', () => {
  it('finds every lab program', async () => {
    expect(await missingPrograms()).toEqual([]);
  });
});
