/**
 * Group commit for database commands: one batch is in flight at a time (unless it stalls, below);
 * whatever arrives meanwhile goes into the next one. Under load, N concurrent webhooks cost one command instead of N (the embedded
 * FerretDB spends about a millisecond per command, so this is what bounds its throughput); when idle,
 * an item waits only for the current tick.
 *
 * `run` answers one result per item, in order; an Error in the array fails only that item, a thrown
 * error fails the whole batch.
 */
export class GroupBatcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private busy = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<O | Error>>,
    private readonly maxBatch = 500,
    /**
     * A batch still in flight after this long (a database that stopped answering) no longer holds the
     * next one back: its own items wait for it, later ones go on, e.g. once the database is back.
     */
    private readonly stallMs = 3_000,
    /** Its items fail after this long: a command the database never answers must not hold a caller forever. */
    private readonly giveUpMs = 30_000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    // setImmediate, not a microtask: requests parsed in the same turn of the event loop join this batch.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.busy = false;
      this.kick();
    };
    let over = false;
    const stall = setTimeout(release, this.stallMs);
    const giveUp = setTimeout(() => {
      over = true;
      for (const b of batch) b.reject(new Error(`no answer from the database within ${this.giveUpMs} ms`));
    }, this.giveUpMs);
    stall.unref();
    giveUp.unref();
    try {
      const out = await this.run(batch.map((b) => b.item));
      if (!over) {
        batch.forEach((b, i) => {
          const r = out[i];
          if (r instanceof Error) b.reject(r);
          else b.resolve(r as O);
        });
      }
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      clearTimeout(stall);
      clearTimeout(giveUp);
      release();
    }
  }
}
