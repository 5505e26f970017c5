"""The orchestrator: failover groups' DR lifecycle, readiness, operations on the durable workflow
engine, and reports."""
