/**
 * Group commit: writes gathered in one batch and committed together, one batch in flight at a
 * time. Whatever arrives while a batch is being written rides in the next one, so a slow commit
 * (a busy disk) grows the batches instead of queueing many small transactions. The server's and
 * the worker's execution recorders gather their event-log writes with it.
 */
export interface GroupCommit<B> {
  /** The batch being gathered; a fresh one takes its place when it is committed. */
  readonly batch: B;
  /** Commits the gathered batch on a later turn of the event loop (with everything gathered by then). */
  readonly schedule: () => void;
  /** Settles once what is gathered now is committed (rejects if that commit fails). */
  readonly committed: () => Promise<void>;
  /** Commits until nothing is gathered or in flight. */
  readonly flush: () => Promise<void>;
}

export interface GroupCommitOptions<B> {
  empty: () => B;
  isEmpty: (batch: B) => boolean;
  write: (batch: B) => Promise<void>;
  /** Called when a batch cannot be committed (its waiters reject too). */
  onError?: (error: unknown) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<B>(options: GroupCommitOptions<B>): GroupCommit<B> {
  let batch = options.empty();
  // Kept apart from the batch: while a commit runs only the waiters stay referenced, the batch
  // itself may be collected once written (or posted to a writer thread).
  let waiters: Waiter[] = [];
  let scheduled = false;
  let inFlight = false;
  let writing: Promise<void> = Promise.resolve();

  const idle = () => waiters.length === 0 && options.isEmpty(batch);

  const commit = (): Promise<void> => {
    scheduled = false;
    if (inFlight || idle()) return writing;
    const written = batch;
    const settled = waiters;
    batch = options.empty();
    waiters = [];
    inFlight = true;
    writing = options
      .write(written)
      .then(
        () => settled.forEach((w) => w.resolve()),
        (error: unknown) => {
          options.onError?.(error);
          settled.forEach((w) => w.reject(error));
        },
      )
      .finally(() => {
        inFlight = false;
        if (!idle()) void commit();
      });
    return writing;
  };

  const schedule = () => {
    if (scheduled || inFlight) return;
    scheduled = true;
    setImmediate(() => void commit());
  };

  return {
    get batch() {
      return batch;
    },
    schedule,
    committed: () =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ resolve, reject });
        schedule();
      }),
    flush: async () => {
      while (inFlight || !idle()) await (inFlight ? writing : commit());
    },
  };
}
