"""The demo archives: simulated provincial historical archives for `make demo` and the integration tests.

Three archives (Vĩnh Long, Huế, Cần Thơ) hold generated, deterministic Vietnamese records at the four ISAD(G)
levels, with real PDF and DOCX files and a few scans (image-only PDF, TIFF), served by a small OAI-PMH 2.0 data
provider whose oai_dc output is the contract described in OAI_DC_PROFILE.md.

- `models`        the archive, record and file dataclasses, access wording, and the leak-test `content_token`
- `vocabulary`    the words the generator draws from: archives, origin units, agencies, topics, names
- `documents`     the Vietnamese prose of an item's file (văn bản hành chính layout)
- `catalogue`     `build_archives()`: the whole generated catalogue
- `files`         `render_file()`: the PDF / DOCX bytes of a record's file (a scan's from `scans`)
- `scans`         a document's text as a scanner gives it: page images with noise, skew and a seal, as an
                  image-only PDF or a TIFF
- `links`         the URLs of a record's landing page and files
- `oai_request`   checking OAI-PMH arguments and dates; stateless resumption tokens
- `oai_xml`       the OAI-PMH response envelope, headers and tokens
- `oai_dc`        a record's oai_dc metadata (the profile)
- `oai_verbs`     the six verbs over one archive, independent of HTTP
- `oai_provider`  `create_provider_app()`: the Flask app serving all archives
- `stats`         the counts printed by `python -m demo stats`

It may import Flask, lxml, fpdf2, python-docx and Pillow, never anything from portal/ or indexer/: it stands for systems
outside the portal, which the indexer reaches only over HTTP.
"""
