import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { restoreLab, saveLab } from '../lab/archive.ts';
import type { LabFacts } from '../lab/facts.ts';
import { labDown, labStatus, labUp, readFacts } from '../lab/lab.ts';
import { seedFixture, seedUsers } from '../lab/seed.ts';

/** Returns the default lab folder: `$USERPILOT_DATA/lab`, else `.data/lab` in the repository. */
export function defaultLabDir(): string {
  const data = process.env.USERPILOT_DATA ?? join(import.meta.dirname, '..', '..', '.data');
  return join(data, 'lab');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 1024 to 65535');
  }
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return count;
}

/** Formats the facts for a terminal: what a person needs to connect to the lab. */
export function formatFacts(facts: LabFacts): string {
  const rows: [string, string][] = [
    ['LDAPS URL', facts.ldapsUrl],
    ['StartTLS URL', facts.ldapUrl],
    ['CA file', facts.caFile],
    ['Base DN', facts.baseDn],
    ['Scope OU', facts.scopeDn],
    ['Bind account', `${facts.bindUpn} (${facts.bindDn})`],
    ['Bind password', facts.bindPassword],
    ['Admin account', `${facts.adminUpn} (seeding and tests only)`],
    ['Admin password', facts.adminPassword],
    [
      'Mail domain',
      `${facts.mailDomain} (registered); ${facts.unregisteredDomain} (never registered)`,
    ],
    ['Seeded', facts.seeded ? 'yes' : 'no'],
    ['Samba PID', facts.sambaPid === undefined ? 'not running' : String(facts.sambaPid)],
    ['Samba log', facts.logFile],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Registers `userpilot lab up|down|status|seed|save|restore`. */
export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('Run the throwaway Samba AD domain controller that tests and the demo use.');
  const dirOption = ['--dir <folder>', 'lab folder', defaultLabDir()] as const;

  lab
    .command('up')
    .description('Provision (first time), start and seed the lab DC, then print its facts.')
    .option(...dirOption)
    .option('--json', 'print the facts as one JSON object')
    .option('--no-seed', 'do not seed the fixture tree')
    .option('--ldaps-port <port>', 'loopback port for LDAPS (kept for later ups)', parsePort)
    .option(
      '--ldap-port <port>',
      'loopback port for LDAP with StartTLS (kept for later ups)',
      parsePort,
    )
    .action(
      async (options: {
        dir: string;
        json?: boolean;
        seed: boolean;
        ldapsPort?: number;
        ldapPort?: number;
      }) => {
        const facts = await labUp({
          dir: options.dir,
          seed: options.seed,
          ...(options.ldapsPort === undefined ? {} : { ldapsPort: options.ldapsPort }),
          ...(options.ldapPort === undefined ? {} : { ldapPort: options.ldapPort }),
        });
        print(
          options.json === true
            ? JSON.stringify(facts)
            : `Lab DC running in ${facts.dir}\n${formatFacts(facts)}`,
        );
      },
    );

  lab
    .command('down')
    .description('Stop Samba and the relays, wait until they are gone, delete the namespace.')
    .option(...dirOption)
    .option('--purge', 'also delete the lab folder')
    .action(async (options: { dir: string; purge?: boolean }) => {
      await labDown({ dir: options.dir, purge: options.purge === true });
      print(options.purge === true ? `Lab stopped and ${options.dir} deleted.` : 'Lab stopped.');
    });

  lab
    .command('status')
    .description('Show whether the lab is provisioned and running.')
    .option(...dirOption)
    .option('--json', 'print the status as one JSON object')
    .action((options: { dir: string; json?: boolean }) => {
      const status = labStatus(options.dir);
      if (options.json === true) return print(JSON.stringify(status));
      if (!('facts' in status)) return print(`Lab in ${status.dir}: ${status.state}.`);
      print(`Lab in ${status.dir}: ${status.state}.\n${formatFacts(status.facts)}`);
    });

  lab
    .command('seed')
    .description('Seed the fixture tree, or with --users add synthetic enabled users.')
    .option(...dirOption)
    .option('--users <count>', 'number of synthetic users to add', parseCount)
    .option('--ou <name>', 'OU of the synthetic users', 'Synthetic')
    .option('--under-scope', 'create the OU under the scope OU instead of the domain root')
    .action(async (options: { dir: string; users?: number; ou: string; underScope?: boolean }) => {
      const facts = readFacts(options.dir);
      if (options.users === undefined) {
        await seedFixture(facts);
        return print(`Fixture seeded into ${facts.scopeDn}.`);
      }
      const result = await seedUsers(facts, {
        count: options.users,
        ou: options.ou,
        underScope: options.underScope === true,
      });
      print(
        `Added ${result.count} users to ${result.ouDn} in ${(result.durationMs / 1000).toFixed(1)} s.`,
      );
    });

  lab
    .command('save')
    .description('Write the stopped lab folder to an archive (tar; .tar.gz etc. compress).')
    .option(...dirOption)
    .requiredOption('--archive <file>', 'archive file to write')
    .action(async (options: { dir: string; archive: string }) => {
      await saveLab(options.dir, options.archive);
      print(`Lab saved to ${options.archive}.`);
    });

  lab
    .command('restore')
    .description('Unpack a saved lab archive into an empty lab folder; then run `lab up`.')
    .option(...dirOption)
    .requiredOption('--archive <file>', 'archive file to read')
    .action(async (options: { dir: string; archive: string }) => {
      await restoreLab(options.dir, options.archive);
      print(
        `Lab restored into ${options.dir}; start it with \`userpilot lab up --dir ${options.dir}\`.`,
      );
    });
}
