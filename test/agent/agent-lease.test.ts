import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStateDatabase } from '../../src/agent/state-db.ts';
import { readAgentStatus, type AgentStatus } from '../../src/agent/status-report.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import {
  readServerConfig,
  serverConfigFile,
  writeServerConfig,
} from '../../src/server/server-config.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  HostedHarness,
  spawnUserpilot,
  stopChild,
  waitFor,
  writeAgentConfig,
} from './support/e2e.ts';

/** The service's smallest lease time-to-live, so a takeover happens within the test's wait. */
const leaseTtlSeconds = 10;

function statusOf(stateDir: string): AgentStatus | undefined {
  try {
    const db = openStateDatabase(stateDir, { readonly: true });
    try {
      return readAgentStatus(db);
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

describeLab('agent lease between two agents', () => {
  let lab: LabFacts;
  let hosted: HostedHarness;
  const agents: ReturnType<typeof spawnUserpilot>[] = [];

  beforeAll(async () => {
    lab = labFacts();
    hosted = await HostedHarness.create();
    const serverConfig = readServerConfig(hosted.dataDir);
    // writeServerConfig creates the file only once, so the old one goes first.
    rmSync(join(hosted.dataDir, serverConfigFile));
    writeServerConfig(hosted.dataDir, { ...serverConfig, leaseTtlSeconds });
    await hosted.service.domains.register(hosted.tenantId, lab.mailDomain, { kind: 'system' });
    await hosted.start();
  });

  afterAll(async () => {
    for (const agent of agents) await stopChild(agent.child);
    await hosted?.close();
  });

  it('stands by, then takes over when the holder stops', async () => {
    const first = writeAgentConfig({ hosted, lab });
    const second = writeAgentConfig({ hosted, lab });
    const holder = spawnUserpilot(['agent', 'run', '--config', first.path], /full read finished/);
    agents.push(holder);
    await holder.ready;

    const standby = spawnUserpilot(['agent', 'run', '--config', second.path], /agent started/);
    agents.push(standby);
    await standby.ready;
    await waitFor(
      async () => Promise.resolve(statusOf(second.stateDir)?.lease?.held === false),
      60_000,
      'the second agent to stand by',
    );
    expect(statusOf(second.stateDir)?.lastRun).toBeNull();
    expect(statusOf(first.stateDir)?.lease?.held).toBe(true);

    // A holder killed with SIGKILL never releases its lease; the other must wait for it to expire.
    holder.child.kill('SIGKILL');
    await waitFor(
      async () => Promise.resolve(statusOf(second.stateDir)?.lastRun?.result?.state === 'complete'),
      120_000,
      'the second agent to take over and finish a full run',
    );
    const status = statusOf(second.stateDir);
    expect(status?.lease?.held).toBe(true);
    expect(status?.lease?.epoch).toBeGreaterThan(statusOf(first.stateDir)?.lease?.epoch ?? 0);
    expect(await hosted.service.directory.count(hosted.tenantId)).toBeGreaterThan(0);
  }, 300_000);
});
