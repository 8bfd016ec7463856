"""Privacy: the event's privacy notice, the delegates' consents and the participant directory;
the delegate's copy of their data, erasing an account, and the retention purge."""
