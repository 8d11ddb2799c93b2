import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openAgent } from '../agent/agent-runtime.ts';
import { loadAgentConfig } from '../agent/config.ts';
import { createLogger } from '../core/log.ts';
import type { HostedService } from '../hosted/index.ts';
import type { LabFacts } from '../lab/facts.ts';
import { labUp } from '../lab/lab.ts';
import { initServer, type InitServerResult } from '../server/init.ts';
import { panelPrefix } from '../server/panel/layout.ts';
import { panelServerPlugin } from '../server/panel/plugin.ts';
import { startServer, type RunningServer } from '../server/start.ts';
import { defaultLabDir } from './lab-commands.ts';

const system = { kind: 'system' } as const;

interface DemoFlags {
  exitAfterSync?: boolean;
  labDir: string;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the hosted service on SQLite in a temporary data folder, with the control panel. */
async function startDemoService(): Promise<{
  init: InitServerResult;
  running: RunningServer;
  service: HostedService;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'userpilot-demo-'));
  const logger = createLogger({ level: 'warn' });
  const init = await initServer({ dataDir, listen: `127.0.0.1:${await freePort()}`, logger });
  let service: HostedService | undefined;
  const running = await startServer({
    dataDir,
    logger,
    plugins: (context) => {
      service = context.service;
      return [panelServerPlugin(context)];
    },
  });
  if (service === undefined) throw new Error('The service started without its domain logic.');
  return { init, running, service };
}

/**
 * Creates mailboxes before the first sync, so Autolink has something to pair: three that match
 * lab users by UPN (one in other letter case), one that matches only by display name, and two
 * that share one user's display name, which Autolink must report as ambiguous.
 */
async function createDemoMailboxes(
  service: HostedService,
  tenantId: string,
  domain: string,
): Promise<void> {
  const mailboxes = [
    { upn: `margarete.vogel@${domain}`, displayName: 'Margarete Vogel' },
    { upn: `henrik.larsen@${domain}`, displayName: 'Henrik Larsen' },
    { upn: `bob.upper@${domain}`, displayName: 'Bob Upper' },
    { upn: `a.becker@${domain}`, displayName: 'Anna Becker' },
    { upn: `ben.schulz.sales@${domain}`, displayName: 'Ben Schulz' },
    { upn: `b.schulz@${domain}`, displayName: 'Ben Schulz' },
  ];
  for (const mailbox of mailboxes) await service.mailboxes.create(tenantId, mailbox, system);
}

function writeDemoAgentConfig(lab: LabFacts, init: InitServerResult, url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-demo-agent-'));
  const path = join(dir, 'agent.json');
  const config = {
    stateDir: join(dir, 'state'),
    service: {
      url,
      installUser: init.agentInstall.user,
      installPassword: init.agentInstall.password,
      fingerprint: init.tls.fingerprintSha256,
    },
    directory: {
      url: lab.ldapsUrl,
      bindDn: lab.bindUpn,
      bindPassword: lab.bindPassword,
      caFile: lab.caFile,
      scopeDn: lab.scopeDn,
      pollSeconds: 2,
    },
    log: { level: 'warn', syslog: { mode: 'off' } },
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

async function waitForFirstFullRun(isDone: () => boolean): Promise<void> {
  while (!isDone()) await new Promise((resolve) => setTimeout(resolve, 500));
}

async function linkAndCreate(service: HostedService, tenantId: string): Promise<void> {
  const autolink = await service.links.applyAutolink(tenantId, system);
  const byUpn = autolink.pairs.filter((pair) => pair.by === 'upn').length;
  say(
    `Autolink: ${autolink.pairs.length} linked (${byUpn} by UPN, ${autolink.pairs.length - byUpn} by display name)`,
  );
  for (const ambiguity of autolink.ambiguities) {
    say(
      `  ambiguous ${ambiguity.by} "${ambiguity.value}": ${ambiguity.anchors.length} users, ${ambiguity.mailboxIds.length} mailboxes; left unlinked`,
    );
  }
  const created = await service.links.autocreate(tenantId, 'all', system);
  say(`Autocreate: ${created.created.length} mailboxes created, ${created.skipped.length} skipped`);
  for (const skipped of created.skipped.slice(0, 10))
    say(`  skipped ${skipped.anchor}: ${skipped.message}`);
}

async function listNotEligible(service: HostedService, tenantId: string): Promise<void> {
  const page = await service.directory.list(tenantId, {
    eligible: false,
    state: 'present',
    limit: 50,
  });
  if (page.items.length === 0) return;
  say('Not synchronized into mailboxes:');
  for (const object of page.items)
    say(
      `  ${object.record.userPrincipalName ?? object.dn}: ${object.reason ?? ''} - ${object.reasonHint ?? ''}`,
    );
}

/**
 * The demo: the seeded lab, a hosted service on SQLite, an agent on the lab's Staff OU, then
 * Autolink and Autocreate; it keeps syncing until interrupted, so a change in the lab shows.
 */
async function runDemo(flags: DemoFlags): Promise<void> {
  say('Bringing up the lab domain controller (the first run provisions and seeds it) ...');
  const lab = await labUp({ dir: flags.labDir, seed: true });
  const { init, running, service } = await startDemoService();
  const tenantId = init.tenant.id;
  await service.domains.register(tenantId, lab.mailDomain, system);
  await createDemoMailboxes(service, tenantId, lab.mailDomain);

  const loaded = loadAgentConfig(writeDemoAgentConfig(lab, init, running.url));
  const agent = await openAgent(loaded, process.stderr.isTTY ? { tty: process.stderr } : {});
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const engineDone = agent.engine.run(controller.signal);
  try {
    await waitForFirstFullRun(
      () => agent.engine.outbox.lastEndedRun()?.kind === 'full' || controller.signal.aborted,
    );
    const count = await service.directory.count(tenantId);
    say(`First full sync done: ${count} directory objects from ${lab.scopeDn}`);
    await linkAndCreate(service, tenantId);
    await listNotEligible(service, tenantId);
    say('');
    say(`Service URL:   ${running.url}`);
    say(`Control panel: ${running.url}${panelPrefix}/`);
    say(`Admin login:   ${init.admin.username} / ${init.admin.password}`);
    say(`Certificate:   self-signed, SHA-256 ${init.tls.fingerprintSha256}`);
    if (flags.exitAfterSync === true) stop();
    else say('Syncing; change a user in the lab and it shows up here. Press Ctrl+C to stop.');
    await engineDone;
  } finally {
    controller.abort();
    await engineDone.catch(() => undefined);
    await agent.close();
    await running.close();
    say(`Stopped. The lab keeps running; stop it with: userpilot lab down --dir ${flags.labDir}`);
  }
}

/** Registers `userpilot demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole product on this machine: lab DC, hosted service, agent, Autolink and Autocreate.',
    )
    .option('--exit-after-sync', 'exit after the first full sync instead of syncing until Ctrl+C')
    .option('--lab-dir <dir>', 'lab folder', defaultLabDir())
    .action(runDemo);
}
