import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DryRunReport } from '../../src/agent/dry-run.ts';
import type { AgentStatus } from '../../src/agent/status-report.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { loadFixture } from '../../src/lab/fixture.ts';
import { adminClient, replaceAttribute } from '../directory/lab-directory.ts';
import { HostedHarness, writeAgentConfig } from '../agent/support/e2e.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');
const inScope = loadFixture().users.filter((user) => user.expected !== 'out-of-scope').length;

function runUserpilot(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeLab('userpilot agent sync --once and status', () => {
  let lab: LabFacts;
  let hosted: HostedHarness;
  let config: string;

  beforeAll(async () => {
    lab = labFacts();
    hosted = await HostedHarness.create();
    await hosted.service.domains.register(hosted.tenantId, lab.mailDomain, { kind: 'system' });
    await hosted.start();
    config = writeAgentConfig({ hosted, lab }).path;
  });

  afterAll(async () => {
    await hosted?.close();
  });

  it('plans every user before the first run', async () => {
    const result = await runUserpilot([
      'agent',
      'sync',
      '--once',
      '--dry-run',
      '--json',
      '--config',
      config,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as DryRunReport;
    expect(report.complete).toBe(true);
    expect(report.changes).toHaveLength(inScope);
    expect(new Set(report.changes.map((change) => change.action))).toEqual(new Set(['create']));
    expect(await hosted.service.directory.count(hosted.tenantId)).toBe(0);
  });

  it('sends the scope in one run', async () => {
    const result = await runUserpilot(['agent', 'sync', '--once', '--json', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      outcome: string;
      lastRun: AgentStatus['lastRun'];
    };
    expect(summary.outcome).toBe('drained');
    expect(summary.lastRun?.result?.state).toBe('complete');
    expect(summary.lastRun?.result?.created).toBe(inScope);
    expect(await hosted.service.directory.count(hosted.tenantId)).toBe(inScope);
  });

  it('reports the state after the run', async () => {
    const result = await runUserpilot(['status', '--json', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as AgentStatus;
    expect(status.agentId).not.toBeNull();
    expect(status.queue).toEqual({ upsert: 0, removal: 0, password: 0 });
    expect(status.watermark?.usn).toMatch(/^\d+$/);
    expect(status.lastRun?.kind).toBe('full');
    expect(status.lastError).toBeNull();
  });

  it('plans an edit attribute by attribute', async () => {
    const target = (
      await hosted.service.directory.list(hosted.tenantId, { eligible: true, limit: 1 })
    ).items[0];
    if (target === undefined) throw new Error('no eligible object on the hosted side');
    const client = await adminClient(lab);
    const title = `Planned ${Date.now()}`;
    try {
      await replaceAttribute(client, target.dn, 'title', title);
      const result = await runUserpilot([
        'agent',
        'sync',
        '--once',
        '--dry-run',
        '--config',
        config,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`update ${target.anchor} ${target.dn}`);
      expect(result.stdout).toContain(
        `    title: ${JSON.stringify(target.record.title)} -> ${JSON.stringify(title)}`,
      );
      expect(result.stdout).toContain(
        `0 to create, 1 to update, 0 to remove, ${inScope - 1} unchanged`,
      );
    } finally {
      const original = target.record.title;
      if (original === null) {
        await client.modify(
          target.dn,
          new Change({
            operation: 'delete',
            modification: new Attribute({ type: 'title', values: [] }),
          }),
        );
      } else {
        await replaceAttribute(client, target.dn, 'title', original);
      }
      await client.unbind();
    }
  });
});
