import { existsSync, readlinkSync, statSync } from 'node:fs';
import { runChecked, runCommand } from './command.ts';

const netnsDir = '/run/netns';

export function namespaceExists(namespace: string): boolean {
  return existsSync(`${netnsDir}/${namespace}`);
}

/**
 * Creates the lab's network namespace with only the loopback interface up. A fresh namespace
 * has no other interface and no route, so nothing inside can reach another host, and name
 * lookups fail at once because the resolver's address is unreachable.
 */
export async function createNamespace(namespace: string, logFile: string): Promise<void> {
  if (!namespaceExists(namespace)) {
    await runChecked('ip', ['netns', 'add', namespace], {
      step: `Creating network namespace ${namespace}`,
      logFile,
    });
  }
  await runChecked('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up'], {
    step: `Bringing up loopback in ${namespace}`,
    logFile,
  });
}

export async function deleteNamespace(namespace: string, logFile: string): Promise<void> {
  if (!namespaceExists(namespace)) return;
  await runChecked('ip', ['netns', 'delete', namespace], {
    step: `Deleting network namespace ${namespace}`,
    logFile,
  });
}

/** Lists the PIDs of every process inside the namespace. */
export async function namespacePids(namespace: string): Promise<number[]> {
  if (!namespaceExists(namespace)) return [];
  const result = await runCommand('ip', ['netns', 'pids', namespace]);
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => Number.parseInt(line, 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Returns true when the process runs inside the namespace. */
export function processInNamespace(pid: number, namespace: string): boolean {
  try {
    const inode = statSync(`${netnsDir}/${namespace}`).ino;
    return readlinkSync(`/proc/${pid}/ns/net`) === `net:[${inode}]`;
  } catch {
    return false;
  }
}
