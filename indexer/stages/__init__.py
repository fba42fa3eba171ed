"""The stages of an OAI-PMH harvest run, after CKAN's harvester: gather (walk the list page by page,
following resumption tokens), fetch (a page's files downloaded, checked and sent to Tika), import (map the
records, write them to the index) and the bookkeeping of a written page (counts, harvest objects, the
checkpoint). indexer/harvest.py's SourceHarvest claims the run and conducts the stages; each stage
holds no state of its own beyond the page it is given. Imports nothing of the portal.
"""
