"""The `matcher` command line: one module per command group, a caller above the service and the API.

It may import everything: `matcher.service`, the stages, `api` (for `matcher serve`) and `demoregion`
(for `matcher demo`). Nothing else in `matcher` may import `api` or `demoregion` (import-linter checks it).
Start at `main.py`; `base.py` holds what every command group shares.
"""
