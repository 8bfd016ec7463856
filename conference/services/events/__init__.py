"""Events: finding them, and their settings, host and partners."""
