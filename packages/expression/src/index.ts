/** n8n-compatible {{ }} expression evaluator running in the BudFlow sandbox. */
export {};
