"""What an operator needs around the application: request ids, JSON logs, health, readiness, metrics."""
