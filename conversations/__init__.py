"""The domain: conversations, their rules and their lifecycle. Pure Python."""
