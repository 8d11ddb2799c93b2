import { readFileSync } from 'node:fs';
import { Client, Control } from 'ldapts';
import type { LabFacts } from '../../src/lab/facts.ts';

/** The Show Deleted control (LDAP_SERVER_SHOW_DELETED_OID), which returns tombstones. */
export const showDeletedControl = new Control('1.2.840.113556.1.4.417', { critical: true });

/** Creates an ldapts client for the lab's LDAPS URL that verifies the DC against the lab CA. */
export function labClient(facts: LabFacts): Client {
  return new Client({
    url: facts.ldapsUrl,
    connectTimeout: 10_000,
    timeout: 60_000,
    tlsOptions: { ca: [readFileSync(facts.caFile)] },
  });
}

/** Runs `action` with a client bound as `dn`, unbinding afterwards. */
export async function withBoundClient<T>(
  facts: LabFacts,
  dn: string,
  password: string,
  action: (client: Client) => Promise<T>,
): Promise<T> {
  const client = labClient(facts);
  try {
    await client.bind(dn, password);
    return await action(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
