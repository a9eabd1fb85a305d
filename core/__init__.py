"""The core: records, domain errors, provider-neutral messages, ids and the ports that the
domain services need from storage and providers. It imports nothing else of the project,
and every other layer may import it (see docs/architecture.md)."""
