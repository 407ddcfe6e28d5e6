"""OpenTelemetry plumbing: span names and attributes, the stream processor, provider resolution."""
