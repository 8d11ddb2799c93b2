import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, UserPilotError } from '../../src/protocol/errors.ts';

const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

describe('error code registry', () => {
  it.each(Object.keys(errorCodes))('%s is documented in docs/errors.md', (code) => {
    expect(docs).toContain(`## ${code}`);
  });

  it.each(Object.keys(errorCodes))('%s follows the UP_<PART>_ form', (code) => {
    expect(code).toMatch(/^UP_[A-Z]+_[A-Z0-9_]+$/);
  });

  it('formats message and hint on one line', () => {
    const error = new UserPilotError('UP_LAB_PORT_IN_USE', 'Port 16360 is already in use.', {
      hint: 'Stop the program that holds it or pass --port.',
    });
    expect(error.toLine()).toBe(
      'UP_LAB_PORT_IN_USE: Port 16360 is already in use. Stop the program that holds it or pass --port.',
    );
    expect(error.status).toBe(500);
  });
});
