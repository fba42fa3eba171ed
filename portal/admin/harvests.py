"""What the admin pages show of harvesting: the sources a person may see, their runs, and a
chart of records per run. Reads the database only; the portal never imports the indexer
(changes to sources and run requests are portal/admin/sources.py's)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.identity import Identity, valid_province
from portal.access.roles import MANAGE_ALL, VIEW_HARVESTS
from portal.formatting import moment
from schema.tables import HarvestRun, Source, next_due, run_request_pending

SUCCESS_STATES = ("done", "done-with-errors")
PROBLEM_STATES = ("failed", "stopped", "done-with-errors")
CHART_RUNS = 20


def visible_sources(db: Session, identity: Identity) -> list[Source]:
    """National admins see every source; staff and archive admins their own province's."""
    if not identity.can(VIEW_HARVESTS):
        return []
    query = select(Source).order_by(Source.id)
    if not identity.can(MANAGE_ALL):
        province = valid_province(identity.province)
        if province is None:
            return []
        query = query.where(Source.holding_province == province)
    return list(db.scalars(query))


def sees_sources_of(identity: Identity, province: str) -> bool:
    """Whether the person sees this province's sources (as `visible_sources` decides)."""
    return identity.can(VIEW_HARVESTS) and (identity.can(MANAGE_ALL) or province == valid_province(identity.province))


def source_if_visible(db: Session, identity: Identity, source_id: str) -> Source | None:
    """The source when the person may see it, else None."""
    source = db.get(Source, source_id)
    return source if source is not None and sees_sources_of(identity, source.holding_province) else None


def recent_runs(db: Session, sources: list[Source], source_id: str | None = None, limit: int = 50) -> list[HarvestRun]:
    ids = [s.id for s in sources if source_id is None or s.id == source_id]
    if not ids:
        return []
    return list(db.scalars(select(HarvestRun).where(HarvestRun.source_id.in_(ids))
                           .order_by(HarvestRun.id.desc()).limit(limit)))


def run_if_visible(db: Session, sources: list[Source], run_id: int) -> HarvestRun | None:
    run = db.get(HarvestRun, run_id)
    return run if run is not None and run.source_id in {s.id for s in sources} else None


@dataclass
class SourceOverview:
    source: Source
    last_success: HarvestRun | None
    last_problem: HarvestRun | None
    last_run: HarvestRun | None
    next_due: datetime | None
    run_requested: bool = False  # a run asked for on this page, not yet started by `flask harvest --due`

    @property
    def due_now(self) -> bool:
        return self.next_due is not None and self.next_due <= datetime.now(timezone.utc)


def source_overview(db: Session, sources: list[Source]) -> list[SourceOverview]:
    rows = []
    for source in sources:
        runs = select(HarvestRun).where(HarvestRun.source_id == source.id).order_by(HarvestRun.id.desc())
        last_run = db.scalars(runs.limit(1)).first()
        last_success = db.scalars(runs.where(HarvestRun.state.in_(SUCCESS_STATES)).limit(1)).first()
        last_problem = db.scalars(runs.where(HarvestRun.state.in_(PROBLEM_STATES)).limit(1)).first()
        scheduled = db.scalars(runs.where(HarvestRun.mode != "record").limit(1)).first()
        started = scheduled.started_at if scheduled else None
        rows.append(SourceOverview(source, last_success, last_problem, last_run, next_due(source, started),
                                   run_request_pending(source, started)))
    return rows


@dataclass
class SparkBar:
    run_id: int
    x: int
    y: int
    height: int
    records: int
    state: str
    label: str


@dataclass
class SourceTrend:
    """A source's line on the harvests page: its last run, and a small chart of its recent runs."""
    source: Source
    last_run: HarvestRun
    bars: list[SparkBar]
    most: int
    width: int
    height: int

    @property
    def has_trend(self) -> bool:
        return len(self.bars) > 1  # a chart of one bar says nothing the last-run column does not


def harvest_trends(db: Session, sources: list[Source], height: int = 32, bar: int = 6, gap: int = 2
                   ) -> list[SourceTrend]:
    """For each source that has run: its last run and bars of records handled per run (added, updated,
    unchanged, deleted, failed), oldest left, the tallest run as high as the chart. One compact row a
    source, so a page of many sources stays readable."""
    trends = []
    for source in sources:
        runs = list(reversed(db.scalars(select(HarvestRun).where(HarvestRun.source_id == source.id)
                                        .order_by(HarvestRun.id.desc()).limit(CHART_RUNS)).all()))
        if not runs:
            continue
        most = max(max(run.records_done for run in runs), 1)
        bars = []
        for position, run in enumerate(runs):
            # At least 2 px, so a run that handled nothing still shows as a run.
            bar_height = max(round((height - 2) * run.records_done / most), 2)
            bars.append(SparkBar(run.id, position * (bar + gap), height - bar_height, bar_height, run.records_done,
                                 run.state, moment(run.started_at)))
        trends.append(SourceTrend(source, runs[-1], bars, most, len(runs) * (bar + gap) - gap, height))
    return trends
