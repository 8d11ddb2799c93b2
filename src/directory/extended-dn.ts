import { BerWriter, Control } from 'ldapts';
import { guidFromBytes, isGuidText } from './guid.ts';

/**
 * The extended DN control (MS-ADTS 3.1.1.3.4.1.5, OID 1.2.840.113556.1.4.529). With it the DC
 * writes every DN, of the entry and of DN-valued attributes such as `manager`, as
 * `<GUID=...>;<SID=...>;CN=...`, so a manager's anchor needs no second lookup.
 */
export class ExtendedDnControl extends Control {
  static readonly oid = '1.2.840.113556.1.4.529';

  /** Flag 1 asks for the GUID in its dashed text form and the SID as `S-1-...`. */
  constructor(private readonly flag: 0 | 1 = 1) {
    super(ExtendedDnControl.oid, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flag);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** The parts of an extended DN. */
export interface ExtendedDn {
  /** The plain DN after the `<...>;` components. */
  dn: string;
  /** The GUID in text form (lower case), when the DN carried one. */
  guid: string | undefined;
  sid: string | undefined;
}

/** Splits `<GUID=...>;<SID=...>;DN` into its parts; a plain DN passes through unchanged. */
export function parseExtendedDn(text: string): ExtendedDn {
  let rest = text;
  let guid: string | undefined;
  let sid: string | undefined;
  while (rest.startsWith('<')) {
    const end = rest.indexOf('>');
    if (end < 0) break;
    const [name = '', value = ''] = rest.slice(1, end).split('=', 2);
    if (name.toUpperCase() === 'GUID') guid = extendedGuid(value);
    if (name.toUpperCase() === 'SID') sid = value;
    rest = rest.slice(end + 1);
    if (rest.startsWith(';')) rest = rest.slice(1);
  }
  return { dn: rest, guid, sid };
}

/** The GUID of an extended DN in text form, from either the dashed (flag 1) or hex (flag 0) form. */
function extendedGuid(value: string): string {
  if (isGuidText(value)) return value.toLowerCase();
  if (/^[0-9a-f]{32}$/i.test(value)) return guidFromBytes(Buffer.from(value, 'hex'));
  throw new RangeError(`Extended DN has an unreadable GUID: ${JSON.stringify(value)}.`);
}

/** The Show Deleted control (OID 1.2.840.113556.1.4.417): searches also return tombstones. */
export class ShowDeletedControl extends Control {
  static readonly oid = '1.2.840.113556.1.4.417';

  constructor() {
    super(ShowDeletedControl.oid, { critical: true });
  }
}
