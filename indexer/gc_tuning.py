"""The garbage collector in a harvesting process: what the process has loaded before it harvests (modules, the
Flask app, the mapping's tables) is moved out of the collector's sight with gc.freeze(). A harvest makes
millions of short-lived dicts and lxml proxies, so the collector runs often, and each of its full passes would
walk every object of every module loaded again: measured, a tenth of the harvester's CPU a record
(bench.harvest, docs/scaling.md), a fifth as much once frozen. Nothing frozen is ever freed, so this is for
what lives as long as the process anyway, and done once a process or a command."""
from __future__ import annotations

import gc


def freeze_what_is_loaded() -> None:
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
