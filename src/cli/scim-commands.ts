import type { Command } from 'commander';
import { createLogger } from '../core/log.ts';
import { HostedService } from '../hosted/index.ts';
import type { ScimToken } from '../hosted/types.ts';
import { readServerConfig, resolveDataPath } from '../server/server-config.ts';
import { openStore } from '../store/store.ts';
import { defaultServerDir, findTenant } from './server-commands.ts';

interface TokenFlags {
  data: string;
  tenant?: string;
  json?: boolean;
}

const cliActor = { kind: 'system' } as const;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Registers `userpilot scim token create|list|revoke`. */
export function registerScimCommands(program: Command): void {
  const scim = program
    .command('scim')
    .description('Manage access to the SCIM 2.0 API at /scim/v2.');
  const token = scim
    .command('token')
    .description("Create, list and revoke a tenant's SCIM bearer tokens.");
  const withCommon = (command: Command): Command =>
    command
      .option(
        '--data <dir>',
        'data folder of the service (server.json, SQLite store, TLS files)',
        defaultServerDir(),
      )
      .option('--tenant <name>', 'tenant name (default: the only tenant)')
      .option('--json', 'print the result as JSON');

  withCommon(token.command('create').description('Create a token; it is shown only this once.'))
    .option('--label <text>', 'what the token is for, e.g. the identity provider', 'SCIM client')
    .action((flags: TokenFlags & { label: string }) =>
      withService(flags, async (service, tenant) => {
        const created = await service.scimTokens.create(tenant.id, flags.label, cliActor);
        if (flags.json === true) {
          print(JSON.stringify({ token: created.token, ...created.info }, null, 2));
          return;
        }
        print(
          [
            `SCIM token ${created.info.id} of ${tenant.name} (${created.info.label}):`,
            `  ${created.token}`,
            'It is shown only this once and stored only as a hash. Configure it in the identity',
            'provider as the bearer token, with the tenant URL https://HOST/scim/v2.',
          ].join('\n'),
        );
      }),
    );

  withCommon(
    token.command('list').description("List the tenant's tokens, without their secrets."),
  ).action((flags: TokenFlags) =>
    withService(flags, async (service, tenant) => {
      const tokens = await service.scimTokens.list(tenant.id);
      print(flags.json === true ? JSON.stringify(tokens, null, 2) : formatTokens(tokens));
    }),
  );

  withCommon(
    token.command('revoke').description('Revoke a token; requests with it then answer 401.'),
  )
    .argument('<id>', 'the token id that `scim token list` shows')
    .action((id: string, flags: TokenFlags) =>
      withService(flags, async (service, tenant) => {
        await service.scimTokens.revoke(tenant.id, id, cliActor);
        print(flags.json === true ? JSON.stringify({ revoked: id }) : `Revoked SCIM token ${id}.`);
      }),
    );
}

async function withService(
  flags: TokenFlags,
  work: (service: HostedService, tenant: { id: string; name: string }) => Promise<void>,
): Promise<void> {
  const config = readServerConfig(flags.data);
  const store = await openStore({ url: resolveDataPath(flags.data, config.database) });
  try {
    const service = new HostedService({ store, logger: createLogger({ level: 'warn' }) });
    await work(service, await findTenant(service, flags.tenant));
  } finally {
    await store.close();
  }
}

function formatTokens(tokens: ScimToken[]): string {
  if (tokens.length === 0)
    return 'The tenant has no SCIM tokens. Create one with `userpilot scim token create`.';
  const rows = tokens.map((token) =>
    [
      token.id,
      token.revokedAt === null ? 'active' : `revoked ${token.revokedAt}`,
      token.lastUsedAt ?? 'never used',
      token.label,
    ].join('  '),
  );
  return ['id  state  last used  label', ...rows].join('\n');
}
