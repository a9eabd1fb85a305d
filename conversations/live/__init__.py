"""Live updates: what each commit tells the open workspaces, and who may hear it."""
