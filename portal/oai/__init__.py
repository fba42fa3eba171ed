"""The portal as an OAI-PMH 2.0 data provider (`/oai`, DESIGN §8): the union catalogue served onward to the
national archive and aggregators, exactly as an anonymous reader may see it.

  setspecs.py    set names (`province:<code>`, `fonds:<id>`) and the escaping ids need in them
  datestamps.py  from/until and a record's datestamp (when what it says last changed)
  tokens.py      signed, stateless resumption tokens that survive a restart and expire
  catalogue.py   the OpenSearch side: records and tombstones under the anonymous permission filter
  dublin_core.py oai_dc of any record; ead.py oai_ead of a fonds with the components a reader may see
  protocol.py    the verbs, their arguments and errors, as XML;  views.py the route, its limit and cache

It imports the access policy, the OpenSearch client and `schema`, never the indexer.
"""
