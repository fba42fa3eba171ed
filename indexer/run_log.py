"""A run's log lines carry its source and run id as fields (`source`, `run`), whatever formats them:
the portal's JSON lines show them as keys one can filter on; the indexer only names them."""
from __future__ import annotations

import logging


class RunLog(logging.LoggerAdapter):
    """`log.info(...)` of one source's run: `extra` is the source's id, and the run's once claimed."""

    def __init__(self, logger: logging.Logger, source_id: str, run_id: int | None = None):
        super().__init__(logger, {"source": source_id, "run": run_id})

    def bind(self, run) -> None:
        self.extra["run"] = run.id
