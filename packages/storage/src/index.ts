/** BudFlow storage on kysely: SQLite and PostgreSQL. */
export {};
