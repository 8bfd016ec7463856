"""Mail: the transactional outbox every email goes through."""
