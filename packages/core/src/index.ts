/** BudFlow execution engine: workflow parsing, graph and run loop with n8n semantics. */
export {};
