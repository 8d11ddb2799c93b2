import type { LabFacts } from './facts.ts';

export interface LabUpOptions {
  dir: string;
  seed?: boolean;
}

// TODO: provision and start the Samba AD DC in its own network namespace.
export function labUp(options: LabUpOptions): Promise<LabFacts> {
  return Promise.reject(new Error(`lab not built yet: ${options.dir}`));
}
