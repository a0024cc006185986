"""The service layer: the one API the web UI, the JSON API, the scheduler and the CLI all call."""

from flowengine.service.app import Services, open_services

__all__ = ["Services", "open_services"]
