/**
 * Requests that arrive together, handled together: each `add` joins the group of the current turn of the event
 * loop, and the group is run once that turn is over, as one statement. Under load each round trip to the database
 * then carries many requests, and the database parses, plans and commits once for all of them; alone, a request
 * waits one turn of the event loop.
 */
export class Grouped<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];

  /** `run` answers every item of a group, in order (a value, or a promise that may reject for that item alone), or rejects for the whole group. */
  constructor(
    private readonly run: (items: I[]) => Promise<(O | Promise<O>)[]>,
    private readonly max = 256,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.pending.push({ item, resolve, reject }) === 1) setImmediate(() => this.flush());
      else if (this.pending.length >= this.max) this.flush();
    });
  }

  private flush(): void {
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    this.run(group.map((g) => g.item)).then(
      (outs) => {
        for (const [k, g] of group.entries()) Promise.resolve(outs[k] as O | Promise<O>).then(g.resolve, g.reject);
      },
      (e: unknown) => {
        for (const g of group) g.reject(e);
      },
    );
  }
}
