"""The audit log: writing an entry with each change, and reading the log."""
