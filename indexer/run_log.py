"""A run's log lines carry its source and run id as fields (`source`, `run`), whatever formats them:
the portal's JSON lines show them as keys one can filter on; the indexer only names them."""
from __future__ import annotations

import logging


class RunLog(logging.LoggerAdapter):
    """`log.info(...)` of one source's run: `extra` is the source's id, and the run's once claimed."""

    def __init__(self, logger: logging.Logger, source_id: str):
        super().__init__(logger, {"source": source_id, "run": None})

    def bind(self, run) -> None:
        self.extra["run"] = run.id

    def run_ended(self, run, kind: str = "harvest") -> None:
        """One line at the end of a run: its state and its counts, as the run's report has them."""
        level = logging.ERROR if run.state == "failed" else logging.INFO
        self.log(level, "%s of %s run %s %s: %s added, %s updated, %s deleted, %s failed, %s unchanged",
                 kind, self.extra["source"], run.id, run.state, run.added or 0, run.updated or 0,
                 run.deleted or 0, run.failed or 0, run.unchanged or 0)
