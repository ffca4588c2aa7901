/** QuickJS sandbox with limits, run in a worker-thread pool. */
export {};
