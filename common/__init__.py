"""The runtime every draas process shares: settings, logging, tracing, errors, persistence, the
gRPC server and client plumbing, and the process lifecycle."""
