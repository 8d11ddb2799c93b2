import { UserPilotError } from '../protocol/errors.ts';
import { dnEquals } from './dn.ts';
import type { DcState } from './root-dse.ts';

/**
 * The position where the last read of one DC stopped. USNs are local to a DC, so the watermark also names the
 * DC (dnsHostName) and its database (invocationId): a watermark of another DC, or of this DC
 * before a restore, is useless and calls for a full read.
 */
export interface Watermark {
  dnsHostName: string;
  invocationId: string;
  /** highestCommittedUSN read before the read began; the next delta reads USNs above it. */
  usn: string;
  scopeDn: string;
}

const prefix = 'up1.';

/** Encodes a watermark as one opaque line of text for the CLI and the agent's state. */
export function encodeWatermark(watermark: Watermark): string {
  const { dnsHostName, invocationId, usn, scopeDn } = watermark;
  const json = JSON.stringify({ dnsHostName, invocationId, usn, scopeDn });
  return prefix + Buffer.from(json, 'utf8').toString('base64url');
}

function invalid(reason: string): UserPilotError {
  return new UserPilotError(
    'UP_DIRECTORY_WATERMARK_INVALID',
    `The watermark is invalid: ${reason}.`,
    {
      hint: 'Use the watermark line printed by the last directory read or directory changes run.',
    },
  );
}

/** Decodes encodeWatermark's text; throws UP_DIRECTORY_WATERMARK_INVALID otherwise. */
export function decodeWatermark(text: string): Watermark {
  const trimmed = text.trim();
  if (!trimmed.startsWith(prefix)) throw invalid(`it does not start with ${prefix}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(trimmed.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid('its content is not JSON');
  }
  const fields = parsed as Record<string, unknown>;
  for (const key of ['dnsHostName', 'invocationId', 'usn', 'scopeDn']) {
    if (typeof fields[key] !== 'string') throw invalid(`${key} is missing`);
  }
  const watermark = fields as unknown as Watermark;
  if (!/^\d+$/.test(watermark.usn)) throw invalid('the USN is not a number');
  return {
    dnsHostName: watermark.dnsHostName,
    invocationId: watermark.invocationId,
    usn: watermark.usn,
    scopeDn: watermark.scopeDn,
  };
}

/** Builds the watermark for a read that starts now on this DC. */
export function watermarkOf(state: DcState, scopeDn: string): Watermark {
  return {
    dnsHostName: state.dnsHostName,
    invocationId: state.invocationId,
    usn: state.highestCommittedUSN,
    scopeDn,
  };
}

/** The reason a watermark cannot give a delta on this DC. */
export type FullReadReason =
  'otherDc' | 'invocationIdChanged' | 'usnBehindWatermark' | 'scopeChanged';

/** Returns why a delta from `since` is impossible on this DC, or undefined when it is possible. */
export function checkWatermark(
  since: Watermark,
  state: DcState,
  scopeDn: string,
): { reason: FullReadReason; message: string } | undefined {
  if (since.dnsHostName.toLowerCase() !== state.dnsHostName.toLowerCase()) {
    return {
      reason: 'otherDc',
      message: `The watermark is from ${since.dnsHostName}, but this DC is ${state.dnsHostName}.`,
    };
  }
  if (since.invocationId !== state.invocationId) {
    return {
      reason: 'invocationIdChanged',
      message: `The DC's invocationId changed from ${since.invocationId} to ${state.invocationId} (restored from a backup?).`,
    };
  }
  if (BigInt(state.highestCommittedUSN) < BigInt(since.usn)) {
    return {
      reason: 'usnBehindWatermark',
      message: `The DC's highestCommittedUSN ${state.highestCommittedUSN} is below the watermark's ${since.usn}.`,
    };
  }
  if (!dnEquals(since.scopeDn, scopeDn)) {
    return {
      reason: 'scopeChanged',
      message: `The watermark is for scope ${since.scopeDn}, not ${scopeDn}.`,
    };
  }
  return undefined;
}
