/** The budflow command line. */
export {};
