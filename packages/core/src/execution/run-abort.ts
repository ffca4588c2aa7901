/**
 * A run's cancellation. The `AbortController` behind `ctx.signal` is created only when a node
 * reads the signal: an `AbortController` per run plus a `Promise.race` per node were a large
 * share of a short run's cost and garbage. The per-node race (so that a node ignoring its signal
 * does not keep a canceled run alive) is only set up when something can cancel the run (an outer
 * signal or a timeout), and `abort` settles it directly, without listening to a signal.
 */
export class RunAbort {
  private controller: AbortController | undefined;
  private abortedWith: { reason: Error } | undefined;
  /** Rejects the node currently awaited (the runner awaits one node at a time). */
  private rejectCurrent: ((reason: Error) => void) | undefined;

  /** `cancellable`: an outer signal or a timeout may abort this run. */
  constructor(readonly cancellable: boolean) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  abort(reason: Error): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    // Nodes listening to their signal hear it first, then the awaited node is abandoned.
    this.controller?.abort(reason);
    const reject = this.rejectCurrent;
    this.rejectCurrent = undefined;
    reject?.(reason);
  }

  /**
   * Settles with `promise`, or rejects with the abort reason as soon as the run is aborted, so a
   * node that ignores its signal does not keep a canceled run alive.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (!this.cancellable) return promise;
    if (this.abortedWith) return Promise.reject(this.abortedWith.reason);
    return new Promise<T>((resolve, reject) => {
      this.rejectCurrent = reject;
      promise.then(resolve, reject);
    });
  }
}
