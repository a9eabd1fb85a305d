"""Reports: each conversation's fact row, finished days' digests, live figures, the
summaries and the conversations behind each figure (docs/reports.md)."""
