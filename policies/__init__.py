"""Who may see and do what: organisations, OAuth2 clients, keys, sharing grants, the audit trail."""
