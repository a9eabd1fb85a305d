"""Provider adapters: payloads in, provider API calls out."""
