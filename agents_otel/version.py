"""The package version, in a module of its own so telemetry can name its instrumentation scope without importing
the package root (which imports everything)."""

__version__ = "0.1.0"
