"""The procedures flowengine ships, each a package: its rules, its document composers, its supervision
metrics, its upgrades of older stored definitions and its demo data. Their YAML is in the top-level
``workflows/`` folder (the folder a deployment points ``FLOWENGINE_WORKFLOWS_DIR`` at).

Nothing in the engine, the service, the web layer or the persistence layer imports these packages: they
register themselves under the ``flowengine.procedures`` entry-point group (see ``pyproject.toml``) and are
found by :mod:`flowengine.registry`, exactly as a third party's package would be.
"""
