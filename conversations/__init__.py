"""The domain services: ingest, agent actions, the outbox, the sweep and the admin
services. They import only core/ and are handed storage and providers through its ports
(functions/wiring/ builds them); they never see HTTP, a table or a provider SDK."""
