"""Named checks and predicates of the shipped procedures, registered on import (see engine.checks)."""
