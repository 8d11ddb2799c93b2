import { Command, CommanderError } from 'commander';
import { isUserPilotError } from '../protocol/errors.ts';
import { registerAgentCommands } from './agent-commands.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDiagnoseCommand } from './diagnose-command.ts';
import { registerDirectoryCommands } from './directory-commands.ts';
import { registerLabCommands } from './lab-commands.ts';
import { registerPasswordCommands } from './password-commands.ts';
import { registerScimCommands } from './scim-commands.ts';
import { registerServerCommands } from './server-commands.ts';
import { registerSetupCommand } from './setup-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { version } from './version.ts';

/**
 * The `userpilot` command. Each part registers its subcommands from its own file in this folder;
 * this file only assembles them and turns failures into one readable line and an exit code.
 */
export function buildProgram(): Command {
  const program = new Command('userpilot')
    .description('Keeps a hosted mail directory in step with an on-premises Active Directory.')
    .version(version)
    .showHelpAfterError();
  registerLabCommands(program);
  registerServerCommands(program);
  registerScimCommands(program);
  registerAgentCommands(program);
  registerPasswordCommands(program);
  registerDirectoryCommands(program);
  registerStatusCommand(program);
  registerSetupCommand(program);
  registerDiagnoseCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isUserPilotError(error)) {
      process.stderr.write(`userpilot: ${error.toLine()}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
