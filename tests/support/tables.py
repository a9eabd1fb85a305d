"""Reading every table of one test's Switchboard (its tables carry the test's prefix)."""

from __future__ import annotations

from azure.data.tables import TableServiceClient


def every_row(connection_string: str, prefix: str) -> dict[str, list[dict]]:
    service = TableServiceClient.from_connection_string(connection_string)
    return {t.name: list(service.get_table_client(t.name).list_entities())
            for t in service.list_tables() if t.name.startswith(prefix)}


def row_text(entity: dict) -> str:
    return "\n".join([entity["PartitionKey"], entity["RowKey"], *(str(v) for v in entity.values() if isinstance(v, str))])


def naming(rows: dict[str, list[dict]], needles: set[str]) -> list[tuple[str, str, str]]:
    """(table, row key, needle) for every row with a key or value that holds a needle."""
    return [(table, e["RowKey"], n) for table, entities in rows.items() for e in entities
            for text in (row_text(e),) for n in needles if n in text]
