"""Telemetry adapters: core.ports.Telemetry on OpenTelemetry (otel.py), exported to
Application Insights by the Azure Monitor distro (monitor.py), and spans around the
calls of a port adapter (traced.py). Nothing here is imported unless telemetry is on."""
