"""flowengine: YAML-declared approval procedures for Party organizations, run as persisted state machines."""

__version__ = "0.1.0"
