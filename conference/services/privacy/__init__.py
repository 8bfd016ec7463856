"""Privacy: the event's privacy notice, the delegates' consents and the participant directory."""
