import type { Command } from 'commander';
import { openAgent } from '../agent/agent-runtime.ts';
import { defaultConfigPath, loadAgentConfig } from '../agent/config.ts';
import { formatDryRun, planFullRun } from '../agent/dry-run.ts';
import { Outbox } from '../agent/outbox.ts';
import { startConfiguredPasswordSync } from '../agent/password/create-password-sync.ts';
import { systemClock } from '../core/clock.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { readAgentStatus } from '../agent/status-report.ts';

interface ConfigOption {
  config: string;
}

interface SyncOptions extends ConfigOption {
  once?: boolean;
  dryRun?: boolean;
  json?: boolean;
  full?: boolean;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Runs the agent service until SIGINT or SIGTERM. */
async function runAgent(options: ConfigOption): Promise<void> {
  const loaded = loadAgentConfig(options.config);
  const runtime = await openAgent(loaded, process.stderr.isTTY ? { tty: process.stderr } : {});
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  runtime.log.info({ config: loaded.path }, 'agent started');
  let closePasswordSync: (() => Promise<void>) | undefined;
  try {
    closePasswordSync = startConfiguredPasswordSync(loaded.config, {
      db: runtime.db,
      client: runtime.client,
      logger: runtime.log,
    });
    await runtime.engine.run(controller.signal);
  } catch (error) {
    runtime.log.fatal(
      { code: error instanceof UserPilotError ? error.code : undefined },
      `agent stopped: ${String(error)}`,
    );
    throw error;
  } finally {
    await closePasswordSync?.();
    runtime.log.info('agent stopped');
    await runtime.close();
  }
}

/** Runs once, or with --dry-run prints what one full run would change. */
async function syncOnce(options: SyncOptions): Promise<void> {
  if (options.once !== true) {
    throw new UserPilotError('UP_AGENT_SETUP_INVALID', '`userpilot agent sync` needs --once.', {
      hint: 'Run `userpilot agent run` for the continuous service.',
    });
  }
  const loaded = loadAgentConfig(options.config);
  const runtime = await openAgent(
    loaded,
    process.stderr.isTTY && options.json !== true ? { tty: process.stderr } : {},
  );
  try {
    if (options.dryRun === true) {
      const report = await planFullRun(runtime.directory, new Outbox(runtime.db, systemClock));
      print(options.json === true ? JSON.stringify(report, null, 2) : formatDryRun(report));
      return;
    }
    const outcome = await runtime.engine.runOnce(options.full === true);
    const status = readAgentStatus(runtime.db);
    if (options.json === true)
      print(
        JSON.stringify(
          { outcome: outcome.kind, lastRun: status.lastRun, queue: status.queue },
          null,
          2,
        ),
      );
    else
      print(
        `Run ${status.lastRun?.result?.state ?? outcome.kind}: ${JSON.stringify(status.lastRun?.result ?? {})}`,
      );
  } finally {
    await runtime.close();
  }
}

/** Registers `userpilot agent run` and `userpilot agent sync --once [--dry-run] [--json]`. */
export function registerAgentCommands(program: Command): void {
  const agent = program
    .command('agent')
    .description('The on-premises agent that synchronizes the directory.');
  agent
    .command('run')
    .description(
      'Run the agent service: register, take the lease, read the scope and keep it in step.',
    )
    .option('--config <file>', 'agent configuration file', defaultConfigPath)
    .action(runAgent);
  agent
    .command('sync')
    .description('Run one synchronization and exit.')
    .option('--config <file>', 'agent configuration file', defaultConfigPath)
    .option('--once', 'run once (required)')
    .option('--full', 'read the whole scope even when a delta would do')
    .option('--dry-run', 'send nothing; print what would change, attribute by attribute')
    .option('--json', 'print JSON for scripts')
    .action(syncOnce);
}
