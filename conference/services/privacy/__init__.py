"""Privacy: the delegate's copy of their data, erasing an account, and the retention purge."""
