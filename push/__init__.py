"""Adapters of the live-updates port (core.ports.Realtime): Azure Web PubSub."""
