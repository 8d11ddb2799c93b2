import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultConfigPath } from '../agent/config.ts';
import { writeDiagnostics } from '../agent/diagnostics.ts';

/** Registers `userpilot diagnose`, which writes one archive for support. */
export function registerDiagnoseCommand(program: Command): void {
  program
    .command('diagnose')
    .description(
      'Write one .tar.gz for support: versions, OS, configuration without secrets, ' +
        'DNS/TCP/TLS/clock checks of the service and the DC, status and recent log lines.',
    )
    .option('--config <file>', 'agent configuration file', defaultConfigPath)
    .option(
      '--output <file>',
      'archive to write',
      `userpilot-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`,
    )
    .action(async (options: { config: string; output: string }) => {
      const archive = await writeDiagnostics({
        configPath: options.config,
        output: resolve(options.output),
      });
      process.stdout.write(`Diagnostics written to ${archive}\n`);
    });
}
