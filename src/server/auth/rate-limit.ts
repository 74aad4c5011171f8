/**
 * Failed sign-ins per key (username and address) in a sliding window. Memory is bounded: past the
 * cap the oldest keys are dropped, which only ever forgets failures, never invents them.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
    readonly maxKeys = 100_000,
  ) {}

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const times = this.#recent(key, now);
    return times.length < this.maxFailures ? 0 : this.windowMs - (now - times[0]!);
  }

  fail(key: string, now = Date.now()): void {
    const times = this.#recent(key, now);
    times.push(now);
    this.#failures.delete(key);
    this.#failures.set(key, times);
    if (this.#failures.size > this.maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}
