/**
 * Requests that arrive together, handled together: each `add` joins the pending group, which is run as one
 * statement at the end of the current turn of the event loop, unless `flights` groups are at the database already.
 * Then it waits for one of them to come back and grows meanwhile, so the busier the evening, the larger the groups
 * and the less the database spends per request (it parses, plans and commits once for each group). Alone, a request
 * waits one turn of the event loop. A group that is out for longer than `patienceMs` (the database is stuck, or
 * waits for a lock) no longer holds the next one back: that one goes to the connection pool, which answers in time.
 */
export class Grouped<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  /** When each group now at the database left, oldest first. */
  private out: number[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `run` answers every item of a group, in order (a value, or a promise that may reject for that item alone), or
   * rejects for the whole group. A group has at most `max` items.
   */
  constructor(
    private readonly run: (items: I[]) => Promise<(O | Promise<O>)[]>,
    private readonly flights = 2,
    private readonly patienceMs = 100,
    private readonly max = 256,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.max && this.mayFly()) this.flush();
      else this.schedule();
    });
  }

  /** Fewer than `flights` groups out, or the youngest of them out for longer than `patienceMs`. */
  private mayFly(): boolean {
    return this.out.length < this.flights || performance.now() - (this.out[this.out.length - 1] as number) > this.patienceMs;
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    if (!this.mayFly()) {
      // Look again once the youngest group has been out for `patienceMs`, unless one comes back first.
      this.timer ??= setTimeout(
        () => {
          this.timer = undefined;
          this.schedule();
        },
        Math.max(1, (this.out[this.out.length - 1] as number) + this.patienceMs - performance.now() + 1),
      );
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.mayFly()) this.flush();
      else this.schedule();
    });
  }

  private flush(): void {
    const group = this.pending.splice(0, this.max);
    if (group.length === 0) return;
    const left = performance.now();
    this.out.push(left);
    this.schedule(); // what is left over a full group goes too, while a flight is free
    const landed = () => {
      this.out.splice(this.out.indexOf(left), 1);
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    };
    this.run(group.map((g) => g.item)).then(
      (outs) => {
        landed();
        for (const [k, g] of group.entries()) Promise.resolve(outs[k] as O | Promise<O>).then(g.resolve, g.reject);
      },
      (e: unknown) => {
        landed();
        for (const g of group) g.reject(e);
      },
    );
  }
}
