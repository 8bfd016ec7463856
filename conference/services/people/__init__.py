"""People: accounts (sign-up, log-in, two-factor log-in) and the team that runs each event."""
