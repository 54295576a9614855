"""Money and contracts: one class per financing rule (how a provider is paid and how it
responds), the funds that pay on behalf of others, the ledger of every euro, the
municipalities' budgets and the eigen risico."""
