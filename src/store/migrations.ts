/**
 * The schema migrations. Each one runs unchanged on SQLite and PostgreSQL, so it uses only
 * column types both share (text, integer). Migrations are only ever appended.
 */
import { domainToASCII } from 'node:url';
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

async function createAccounts(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('agent_install_user', 'text', (c) => c.unique())
    .addColumn('agent_install_password_hash', 'text')
    .addColumn('leave_scope_policy', 'text', (c) => c.notNull())
    .addColumn('soft_delete_retention_days', 'integer', (c) => c.notNull())
    .addColumn('removal_guard_max', 'integer', (c) => c.notNull())
    .addColumn('removal_guard_percent', 'integer', (c) => c.notNull())
    .addColumn('autolink_standing', 'integer', (c) => c.notNull())
    .addColumn('autocreate_standing', 'integer', (c) => c.notNull())
    .addColumn('password_min_length', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('admins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scim_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
}

async function createDirectory(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('domains_name', ['name_key'])
    .execute();

  await db.schema
    .createTable('mailboxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('upn', 'text', (c) => c.notNull())
    .addColumn('upn_key', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('display_name_key', 'text')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('account_expires', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('password_set_at', 'text')
    .addColumn('linked_anchor', 'text')
    .addColumn('linked_at', 'text')
    .addColumn('former_anchor', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('purge_after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('mailboxes_tenant_link', ['tenant_id', 'linked_anchor'])
    .execute();
  // UPN uniqueness is enforced by mailbox_addresses, which also holds the primary address, so
  // one batch can swap UPNs between two mailboxes.
  await db.schema
    .createIndex('mailboxes_tenant_upn')
    .on('mailboxes')
    .columns(['tenant_id', 'upn_key'])
    .execute();
  await db.schema
    .createIndex('mailboxes_tenant_name')
    .on('mailboxes')
    .columns(['tenant_id', 'display_name_key'])
    .execute();
  await db.schema
    .createIndex('mailboxes_tenant_former')
    .on('mailboxes')
    .columns(['tenant_id', 'former_anchor'])
    .execute();

  await db.schema
    .createTable('mailbox_addresses')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('address_key', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_addresses_pk', ['tenant_id', 'address_key'])
    .execute();
  await db.schema
    .createIndex('mailbox_addresses_mailbox')
    .on('mailbox_addresses')
    .column('mailbox_id')
    .execute();

  await db.schema
    .createTable('directory_objects')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('upn', 'text')
    .addColumn('upn_key', 'text')
    .addColumn('display_name', 'text')
    .addColumn('display_name_key', 'text')
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('record_hash', 'text', (c) => c.notNull())
    .addColumn('eligible', 'integer', (c) => c.notNull())
    .addColumn('ineligible_reason', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_objects_pk', ['tenant_id', 'anchor'])
    .execute();
  await db.schema
    .createIndex('directory_objects_upn')
    .on('directory_objects')
    .columns(['tenant_id', 'upn_key'])
    .execute();

  await db.schema
    .createTable('object_passwords')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('pwd_last_set', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('object_passwords_pk', ['tenant_id', 'anchor'])
    .execute();
}

async function createSync(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('dc', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('credential_hash', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('last_heartbeat_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('agent_id', 'text')
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('acquired_at', 'text')
    .addColumn('expires_at', 'text')
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('runs_tenant_state')
    .on('runs')
    .columns(['tenant_id', 'state'])
    .execute();

  await db.schema
    .createTable('run_manifest')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_manifest_pk', ['run_id', 'anchor'])
    .execute();

  await db.schema
    .createTable('pending_removals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('held_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema
    .createIndex('pending_removals_tenant')
    .on('pending_removals')
    .columns(['tenant_id', 'state', 'anchor'])
    .execute();

  await db.schema
    .createTable('delta_removals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('delta_removals_tenant_at')
    .on('delta_removals')
    .columns(['tenant_id', 'at'])
    .execute();

  await db.schema
    .createTable('activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema
    .createIndex('activity_tenant_at')
    .on('activity')
    .columns(['tenant_id', 'at', 'id'])
    .execute();
}

const initial: Migration = {
  async up(db) {
    await createAccounts(db);
    await createDirectory(db);
    await createSync(db);
  },
};

/** Sign-in failure counts in the store, so every service instance throttles the same key. */
const signInFailures: Migration = {
  async up(db) {
    await db.schema
      .createTable('sign_in_failures')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sign_in_failures_last_failure_at')
      .on('sign_in_failures')
      .column('last_failure_at')
      .execute();
  },
};

/** Re-keys registered domains by their ASCII (punycode) form, which IDN spellings share. */
const asciiDomainKeys: Migration = {
  async up(db) {
    const rows = await sql<{
      id: string;
      name_key: string;
    }>`select id, name_key from domains`.execute(db);
    for (const row of rows.rows) {
      const ascii = domainToASCII(row.name_key);
      if (ascii === '' || ascii === row.name_key) continue;
      await sql`update domains set name_key = ${ascii} where id = ${row.id}`.execute(db);
    }
  },
};

/** The migrations in order; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_sign_in_failures': signInFailures,
  '0003_ascii_domain_keys': asciiDomainKeys,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
