import type { Command } from 'commander';
import { createLogger } from '../core/log.ts';
import { connectDirectory, type DirectoryConnection } from '../directory/connection.ts';
import { readChanges } from '../directory/delta-read.ts';
import { browseOrganizationalUnits } from '../directory/scope.ts';
import { startScopeRead } from '../directory/scope-read.ts';
import { decodeWatermark, encodeWatermark } from '../directory/watermark.ts';
import { UserPilotError } from '../protocol/errors.ts';
import {
  addDirectoryConnectionOptions,
  type DirectoryCliOptions,
  resolveDirectoryConnection,
} from './directory-options.ts';

interface ReadOptions extends DirectoryCliOptions {
  scope: string;
  pageSize?: number;
}

interface ChangesOptions extends DirectoryCliOptions {
  since: string;
  scope?: string;
}

interface BrowseOptions extends DirectoryCliOptions {
  json?: boolean;
}

/** Writes lines to standard output, waiting when the pipe is full so memory stays flat. */
async function writeLines(lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const text = `${lines.join('\n')}\n`;
  if (process.stdout.write(text)) return;
  await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

async function withConnection<T>(
  options: DirectoryCliOptions,
  action: (connection: DirectoryConnection) => Promise<T>,
): Promise<T> {
  const logger = createLogger();
  const result = await connectDirectory(await resolveDirectoryConnection(options), { logger });
  if (!result.ok) throw result.error;
  try {
    return await action(result.connection);
  } finally {
    await result.connection.close();
  }
}

async function browse(dn: string | undefined, options: BrowseOptions): Promise<void> {
  await withConnection(options, async (connection) => {
    const listing = await browseOrganizationalUnits(connection, dn);
    if (!listing.ok) throw listing.error;
    const lines = listing.units.map((unit) =>
      options.json === true ? JSON.stringify(unit) : unit.dn,
    );
    await writeLines(lines);
  });
}

/** Records as JSON lines, then the watermark line; an incomplete read prints no watermark. */
async function read(options: ReadOptions): Promise<void> {
  await withConnection(options, async (connection) => {
    const scopeRead = await startScopeRead(connection, {
      scopeDn: options.scope,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    });
    for await (const page of scopeRead.pages) {
      const lines = page.records.map(({ record, metadata }) =>
        JSON.stringify({ kind: 'record', record, metadata }),
      );
      for (const failure of page.failures)
        lines.push(JSON.stringify({ kind: 'undecodable', failure }));
      await writeLines(lines);
    }
    await writeLines([
      JSON.stringify({ kind: 'watermark', watermark: encodeWatermark(scopeRead.watermark) }),
    ]);
  });
}

async function changes(options: ChangesOptions): Promise<void> {
  const since = decodeWatermark(options.since);
  const scopeDn = options.scope ?? since.scopeDn;
  await withConnection(options, async (connection) => {
    const delta = await readChanges(connection, scopeDn, since);
    if (delta.kind === 'fullReadRequired') {
      throw new UserPilotError('UP_DIRECTORY_FULL_READ_REQUIRED', delta.message, {
        hint: 'Run `userpilot directory read --scope DN` for a full read and a new watermark.',
        details: { reason: delta.reason },
      });
    }
    for await (const page of delta.changes)
      await writeLines(page.map((change) => JSON.stringify(change)));
    await writeLines([
      JSON.stringify({ kind: 'watermark', watermark: encodeWatermark(delta.watermark) }),
    ]);
  });
}

function pageSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new UserPilotError('UP_CONFIG_INVALID', `--page-size must be 1 to 1000, got ${value}.`);
  }
  return size;
}

/** Registers `userpilot directory browse|read|changes`. */
export function registerDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('Read Active Directory the way the agent does: browse OUs, full reads, deltas.');

  addDirectoryConnectionOptions(
    directory
      .command('browse [dn]')
      .description('List the OUs directly below DN (default: the domain root), one DN a line.')
      .option('--json', 'print each OU as a JSON line with its name and description'),
  ).action((dn: string | undefined, options: BrowseOptions) => browse(dn, options));

  addDirectoryConnectionOptions(
    directory
      .command('read')
      .description(
        'Print every user of the scope as a JSON line, then a {"kind":"watermark"} line for `directory changes`.',
      )
      .requiredOption('--scope <dn>', 'DN of the scope OU (its whole subtree is read)')
      .option('--page-size <n>', 'entries per LDAP page, 1 to 1000', pageSize),
  ).action((options: ReadOptions) => read(options));

  addDirectoryConnectionOptions(
    directory
      .command('changes')
      .description(
        'Print the changes since a watermark as JSON lines, then the new watermark line.',
      )
      .requiredOption('--since <watermark>', 'the watermark of an earlier read or changes run')
      .option('--scope <dn>', "DN of the scope OU (default: the watermark's scope)"),
  ).action((options: ChangesOptions) => changes(options));
}
