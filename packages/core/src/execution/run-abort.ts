/**
 * A run's cancellation. The `AbortController` is created only when something can abort the run
 * (an outer signal or a timeout) or when a node asks for `ctx.signal`: most library runs have
 * neither, and a controller per run plus a `Promise.race` per node were a large share of the
 * per-node cost and of the run's garbage.
 */
export class RunAbort {
  private controller: AbortController | undefined;
  private hooked = false;
  /** Rejects the node currently awaited (the runner awaits one node at a time). */
  private rejectCurrent: ((reason: unknown) => void) | undefined;

  /** `cancellable`: an outer signal or a timeout may abort this run. */
  constructor(readonly cancellable: boolean) {}

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  get aborted(): boolean {
    return this.controller?.signal.aborted ?? false;
  }

  get reason(): unknown {
    return this.controller?.signal.reason;
  }

  abort(reason: Error): void {
    (this.controller ??= new AbortController()).abort(reason);
  }

  /**
   * Settles with `promise`, or rejects with the abort reason as soon as the run is aborted, so a
   * node that ignores its signal does not keep a canceled run alive.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (!this.cancellable) return promise;
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (!this.hooked) {
      this.hooked = true;
      signal.addEventListener(
        'abort',
        () => {
          const reject = this.rejectCurrent;
          this.rejectCurrent = undefined;
          reject?.(signal.reason);
        },
        { once: true },
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectCurrent = reject;
      promise.then(resolve, reject);
    });
  }
}
