import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

export const unitPath = '/etc/systemd/system/userpilot-agent.service';

/** True when systemd is the running init system (the check sd_booted() makes). */
export function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

/** The unit file: restarts on failure and tags journal lines with the identifier `userpilot`. */
export function agentUnit(command: string[], configPath: string): string {
  return [
    '[Unit]',
    'Description=UserPilot directory sync agent',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    `ExecStart=${[...command, 'agent', 'run', '--config', configPath].join(' ')}`,
    'Restart=on-failure',
    'RestartSec=10',
    'SyslogIdentifier=userpilot',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * Writes the unit and enables it.
 * NOTE: never run on the machines this was built on, which have no systemd.
 */
export function installAgentUnit(command: string[], configPath: string): string {
  writeFileSync(unitPath, agentUnit(command, configPath), { mode: 0o644 });
  execFileSync('systemctl', ['daemon-reload'], { stdio: 'inherit' });
  execFileSync('systemctl', ['enable', '--now', 'userpilot-agent.service'], { stdio: 'inherit' });
  return unitPath;
}
