"""The harvester's exceptions: each names what failed so the run report can say it plainly."""


class HarvestError(Exception):
    """A run cannot go on (the source or the index is unusable); the run stops with a report."""


class SourceUnavailable(HarvestError):
    """The source did not answer, or answered with something that is not OAI-PMH."""


class SourceProtocolError(HarvestError):
    """The source answered with an OAI-PMH error that ends the list (badArgument, …)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


class IndexUnavailable(HarvestError):
    """OpenSearch could not be reached or refused the writes."""


class RecordError(Exception):
    """One record could not be read or mapped; it fails alone, the run goes on."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class RunBusy(HarvestError):
    """Another live process holds the source's run: at most one run of a source is running."""


class LeaseLost(HarvestError):
    """The run was taken over by another process (this one's heartbeat looked dead): this process stops
    without writing the index or the run again; the run belongs to its successor now."""
