/** Shared test helpers (private). */
export {};
