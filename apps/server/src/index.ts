/** The BudFlow HTTP server. */
export {};
