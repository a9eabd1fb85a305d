"""The edge: one Blueprint per area; handlers stay short and hand over to the engine."""
