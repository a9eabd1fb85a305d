"""Customers' data: retention, erasure, subject-access exports, and the audit trail of admins' changes."""
