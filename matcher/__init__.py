"""werkmatch: candidate–vacancy matching for municipal Werk en Inkomen departments.

`matcher` is the domain: it knows nothing of HTTP. The API (`api`), the CLI (`matcher.cli`) and the
nightly rematch (`matcher.batch`) are callers of the same service functions in `matcher.service`.
The stages below it follow the pipeline: `ingest` → `matching` (normalise, embed, feasibility,
features, score, explain, rank) → `learning` (log outcomes, learn); `db`, `domain`, `config`, `geo`
and `text` are the ground floor. docs/ARCHITECTURE.md draws it.
"""

__version__ = "0.1.0"
