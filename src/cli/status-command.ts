import type { Command } from 'commander';
import { defaultConfigPath, readStateDir } from '../agent/config.ts';
import { openStateDatabase } from '../agent/state-db.ts';
import { formatAgentStatus, readAgentStatus } from '../agent/status-report.ts';

/** Registers `userpilot status`, which reads the agent's state database (also while it runs). */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("Show the agent's lease, last run, queue, watermark and last error.")
    .option('--config <file>', 'agent configuration file', defaultConfigPath)
    .option('--state-dir <dir>', "state folder (default: the configuration file's stateDir)")
    .option('--json', 'print JSON for scripts')
    .action((options: { config: string; stateDir?: string; json?: boolean }) => {
      const stateDir = options.stateDir ?? readStateDir(options.config);
      const db = openStateDatabase(stateDir, { readonly: true });
      try {
        const status = readAgentStatus(db);
        process.stdout.write(
          `${options.json === true ? JSON.stringify(status, null, 2) : formatAgentStatus(status)}\n`,
        );
      } finally {
        db.close();
      }
    });
}
