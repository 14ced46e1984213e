/**
 * Counts unknown survey tokens per client address in a sliding window. Kept in memory, per server instance: each
 * instance enforcing its own limit is still a limit (an attacker spread over N instances gets N times the
 * budget, far too little to find a 132-bit token), so nothing needs to be shared.
 */
export class GuessLimiter {
  private hits = new Map<string, number[]>();
  constructor(
    readonly max = 20,
    readonly windowMs = 10 * 60_000,
  ) {}

  /** Minutes until this address may try again; 0 when it may. */
  blockedMinutes(address: string, now: number): number {
    const recent = this.recent(address, now);
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil(((recent[0] as number) + this.windowMs - now) / 60_000));
  }

  recordMiss(address: string, now: number): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.hits.set(address, recent);
    if (this.hits.size > 10_000) this.sweep(now);
  }

  private recent(address: string, now: number): number[] {
    return (this.hits.get(address) ?? []).filter((t) => now - t < this.windowMs);
  }

  private sweep(now: number) {
    for (const [k, v] of this.hits) if (!v.some((t) => now - t < this.windowMs)) this.hits.delete(k);
  }
}
