"""What admins keep (accounts, workstreams, contacts, the agents directory) and the parsers of what they send."""
