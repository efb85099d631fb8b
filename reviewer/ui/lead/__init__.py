"""The team lead's window parts: import, merged view, adjudication, dashboard."""
