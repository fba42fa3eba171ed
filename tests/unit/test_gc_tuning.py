"""freeze_what_is_loaded: what a harvesting process has loaded leaves the collector's passes; what a harvest makes
afterwards is still collected."""
from __future__ import annotations

import gc
import weakref

from indexer.gc_tuning import freeze_what_is_loaded


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_loaded_objects_are_frozen_and_later_cycles_are_still_collected():
    loaded = Node()
    try:
        freeze_what_is_loaded()
        assert gc.get_freeze_count() > 0
        later = Node()
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None
        kept = weakref.ref(loaded)
        del loaded
        gc.collect()
        assert kept() is not None  # frozen: never freed, as what lives as long as the process
    finally:
        gc.unfreeze()
