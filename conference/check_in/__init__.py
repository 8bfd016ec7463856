"""The check-in desk of one event, for its check-in staff (and organisers): scan or search, at
the entrance or at a session's door, online or, with its offline copy, without a network."""
