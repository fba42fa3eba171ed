"""One source's harvest with the portal's settings, as `flask harvest` and a Celery worker both run it:
the Tika extractor and harvest settings built from the configuration, the run itself (OAI-PMH list,
one record, or a package inbox), and its audit rows. Raises HarvestError (RunBusy included)."""
from __future__ import annotations

from typing import Callable

from indexer.harvest import HarvestSettings, PageDispatcher, RetryPolicy, harvest_source, refresh_record
from indexer.errors import HarvestError
from indexer.ocr import OcrLimits
from indexer.package_intake import intake_packages
from indexer.signatures import load_trust_roots
from indexer.text_extraction import TikaExtractor, TikaLimits
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.creators.reconcile import reconcile_after_harvest
from portal.opensearch import get_client, index_layout
from schema.tables import HarvestRun, Source


def harvest_settings(config, trust_roots=None) -> HarvestSettings:
    return HarvestSettings(
        index_prefix=config["OPENSEARCH_INDEX_PREFIX"],
        index_layout=index_layout(config),
        http_timeout=config["HARVEST_HTTP_TIMEOUT"],
        signature_trust_roots=trust_roots or [],
        retry=RetryPolicy(attempts=config.get("HARVEST_RETRIES", 4), backoff=config.get("HARVEST_BACKOFF", 2.0),
                          max_wait=config.get("HARVEST_RETRY_MAX_WAIT", 120.0)),
        lease_seconds=config.get("HARVEST_LEASE_SECONDS", 300),
        page_window=config.get("HARVEST_PAGE_WINDOW", 8),
        import_records=config.get("HARVEST_IMPORT_RECORDS", 500),
        page_stall_seconds=config.get("HARVEST_PAGE_STALL_SECONDS", 15.0),
    )


def harvest_tools(config) -> tuple[TikaExtractor, HarvestSettings]:
    """The extractor and settings of a harvest; TrustRootsError when SIGNATURE_TRUST_ROOTS cannot be read
    (a wrong path must not turn every signature into "unknown" unseen)."""
    trust_roots = load_trust_roots(config["SIGNATURE_TRUST_ROOTS"])
    extractor = TikaExtractor(config["TIKA_SERVER_ENDPOINT"], TikaLimits(
        config["TIKA_MAX_FILE_BYTES"], config["TIKA_TIMEOUT"], config["TIKA_MAX_CHARS"],
        OcrLimits(config["TIKA_OCR_MAX_PAGES"], config["TIKA_OCR_TIMEOUT"] or None)))
    return extractor, harvest_settings(config, trust_roots)


def run_source_harvest(db, source: Source, extractor: TikaExtractor, settings: HarvestSettings, *, full: bool,
                       requested_by: str | None = None, record_identifier: str | None = None,
                       set_spec: str | None = None, until: str | None = None,
                       on_progress: Callable[[int, int | None], None] | None = None,
                       dispatcher: PageDispatcher | None = None) -> HarvestRun:
    """Harvests `source` once, between its HARVEST_START and HARVEST_END audit rows. AuditUnavailable
    (nothing harvested) when the first row cannot be written; HarvestError when the run could not be."""
    mode = "record " + record_identifier if record_identifier else ("full" if full else "incremental")
    audit_target = {"target_id": source.id, "target_province": source.holding_province}
    record_event(audit_actions.HARVEST_START, **audit_target, details={
        "mode": mode, **({"requested_by": requested_by} if requested_by else {})})
    try:
        if source.kind == "package":
            run = intake_packages(db, source, get_client(), extractor, settings, full=full, on_progress=on_progress)
        elif record_identifier:
            run = refresh_record(db, source, get_client(), extractor, record_identifier, settings)
        else:
            run = harvest_source(db, source, get_client(), extractor, settings, full=full,
                                 on_progress=on_progress, set_spec=set_spec, until=until, dispatcher=dispatcher)
    except HarvestError as error:
        record_event(audit_actions.HARVEST_END, **audit_target, outcome="failed",
                     details={"error": str(error)[:1000]})
        raise
    reconcile_after_harvest(db)
    record_event(audit_actions.HARVEST_END, **audit_target,
                 outcome="failed" if run.state == "failed" else "allowed", details={
                     "run": run.id, "state": run.state, "added": run.added, "updated": run.updated,
                     "deleted": run.deleted, "failed": run.failed})
    return run
