/** Wakes a waiting loop early; a wake that comes while nobody waits is kept for the next wait. */
export class Waker {
  private release: (() => void) | undefined;
  private pending = false;

  wake(): void {
    this.pending = true;
    this.release?.();
  }

  /** Resolves after `milliseconds`, or at once on a wake. */
  wait(milliseconds: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.release = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      this.release = done;
    });
  }
}

/**
 * Exponential backoff with full jitter: attempt n waits a random time up to
 * min(maxMs, baseMs * 2^n), so many agents coming back after an outage do not retry in step.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
