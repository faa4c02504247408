"""In-memory fakes of the ports, for unit tests and benchmarks (never shipped in the layer)."""
