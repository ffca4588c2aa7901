/** n8n-compatible core nodes for BudFlow. */
export {};
