/** Bench and conformance scripts (private). */
export {};
