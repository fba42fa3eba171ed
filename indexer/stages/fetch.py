"""The fetch stage: a page's files downloaded from the source's file hosts (never elsewhere: the guarded
session), their checksums and signatures checked, and their text read by Tika, a few at once."""
from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.files import fetch_file
from indexer.mapping.text import clean_text
from indexer.stages.page import PageWork

if TYPE_CHECKING:
    from indexer.harvest import SourceHarvest


class FileFetch:
    """Reads the files of a page's records, in list order, on the run's file threads."""

    def __init__(self, harvest: "SourceHarvest"):
        self.harvest = harvest  # the run's coordinator: its session, lease, writer, pools and report

    def start(self, work: "PageWork") -> None:
        """The page's files go to a few threads that download, check and send them to Tika, in list order."""
        h = self.harvest
        work.file_results = [
            h.file_pool.submit(fetch_file, h.http, url, h.extractor, h.settings.http_timeout,
                               h.settings.signature_trust_roots, h.file_texts)
            for _, _, job_urls in work.file_jobs for url in job_urls]

    def collect(self, work: "PageWork") -> None:
        """Waits for the page's files and puts their entries and text on the documents."""
        h = self.harvest
        h.wait_beating(work.file_results)
        fetched_all = (future.result() for future in work.file_results)
        for taken, document, job_urls in work.file_jobs:
            texts = []
            for url in job_urls:
                fetched = next(fetched_all)
                if fetched.refused:  # kept as a plain reference, never fetched, never relayed
                    document.setdefault("links", []).append(url)
                    work.links_refused += 1
                    work.notes.append(("link", document["id"], f"{url}: not fetched: {fetched.refused}"))
                    continue
                document["files"].append(fetched.entry)
                if fetched.text:
                    texts.append(fetched.text)
                    work.files_extracted += 1
                    work.files_reused += fetched.reused
                else:
                    work.files_failed += 1
                if fetched.extraction_pending:
                    taken.needs_extraction.add(document["id"])
                work.notes.extend((kind, document["id"], message)
                                  for kind, message in fetched.report_notes(fetched.entry["name"]))
            document["content"] = clean_text("\n\n".join(texts), keep_newlines=True) or None
        work.file_jobs, work.file_results = [], []

