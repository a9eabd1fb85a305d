"""Azure Table Storage adapter: the only package that imports azure.data.tables."""
