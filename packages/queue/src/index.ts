/** Job queue port with in-process and BullMQ adapters. */
export {};
