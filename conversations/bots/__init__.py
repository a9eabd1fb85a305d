"""A workstream's bot: relaying through Direct Line, its stage's decisions, signed media links, and its admin settings."""
