import { hostname } from 'node:os';
import type { Logger } from '../core/log.ts';
import type { AgentFacts } from '../protocol/sign-in.ts';
import { version } from '../cli/version.ts';
import type { ServiceClient } from './service-client.ts';
import { deleteMeta, readMeta, writeMeta, type StateDatabase } from './state-db.ts';

const identityKey = 'agent';

/** The id and credential the service gave this agent at its first sign-in. */
export interface AgentIdentity {
  agentId: string;
  tenantId: string;
  credential: string;
}

export function agentFacts(dcHost: string): AgentFacts {
  return { host: hostname(), dc: dcHost, version };
}

/** Reads the stored identity, or undefined before the first sign-in. */
export function storedIdentity(db: StateDatabase): AgentIdentity | undefined {
  return readMeta<AgentIdentity>(db, identityKey);
}

/**
 * Signs in with the install credentials when this agent has no credential of its own yet, and
 * stores the one the service returns. Later starts reuse it, so a rotated install password
 * does not disconnect a registered agent.
 */
export async function ensureSignedIn(
  client: ServiceClient,
  db: StateDatabase,
  install: { userName: string; password: string },
  facts: AgentFacts,
  log: Logger,
): Promise<AgentIdentity> {
  const stored = storedIdentity(db);
  if (stored !== undefined) {
    client.useCredential(stored.credential);
    return stored;
  }
  const answer = await client.signIn(install.userName, install.password, facts);
  const identity: AgentIdentity = {
    agentId: answer.agentId,
    tenantId: answer.tenantId,
    credential: answer.credential,
  };
  writeMeta(db, identityKey, identity);
  log.info(
    { agent_id: identity.agentId, tenant_id: identity.tenantId },
    'agent registered with the service',
  );
  return identity;
}

/** Forgets a credential the service no longer accepts, so the next start signs in again. */
export function forgetIdentity(db: StateDatabase): void {
  deleteMeta(db, identityKey);
}

/** Stores the identity a fresh sign-in returned, replacing any earlier one. */
export function storeIdentity(db: StateDatabase, identity: AgentIdentity): void {
  writeMeta(db, identityKey, identity);
}
