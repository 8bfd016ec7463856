"""Registrations: the workflow and its capacity, the organisers' list, bulk actions, tags, notes,
the dashboard, exports, imports and invitations to register."""
