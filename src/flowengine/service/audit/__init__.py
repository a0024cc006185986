"""The audit room: the append-only trail (``trail``), its seals (``seal``) and its verification and export
(``ledger``). ``append`` and ``chain_of`` are re-exported because every room that records something uses them."""

from flowengine.service.audit.trail import GENESIS, HASHED_FIELDS, append, append_many, chain_of, event_hash

__all__ = ["GENESIS", "HASHED_FIELDS", "append", "append_many", "chain_of", "event_hash"]
