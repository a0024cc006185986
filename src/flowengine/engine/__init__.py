"""The engine: pure of Flask, SQLAlchemy and APScheduler (enforced by import-linter)."""
