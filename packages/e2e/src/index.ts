/** End-to-end tests (private). */
export {};
