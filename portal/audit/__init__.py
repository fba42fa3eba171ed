"""The audit log (DESIGN §7): writing rows (log.py, writer.py) and chaining them (sequencer.py,
chain.py), verifying, checkpointing and archiving the chain (cli.py, signed_heads.py,
archive.py), and the auditor pages (views.py, reading.py).

Imports the portal's database, identity and roles; never the indexer. Other packages call
`portal.audit.log.record_event` with a name from `portal.audit.actions`.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _


def init_app(app: Flask) -> None:
    from portal.audit.cli import audit_cli
    from portal.audit.group_commit import GroupCommitWriter
    from portal.audit.log import AuditUnavailable
    from portal.audit.views import audit_blueprint
    from portal.audit.writer import create_audit_engine

    app.extensions["audit_engine"] = create_audit_engine(app.config["DATABASE_URL"],
                                                        app.config["AUDIT_POOL_SIZE"])
    app.extensions["audit_writer"] = GroupCommitWriter(app.extensions["audit_engine"])
    app.register_blueprint(audit_blueprint)
    app.cli.add_command(audit_cli)

    @app.errorhandler(AuditUnavailable)
    def audit_unavailable(error: AuditUnavailable):
        # Fail closed: the action was not done because it could not be recorded.
        current_app.logger.error("action refused, audit log unavailable: %s", error)
        if request.path.startswith("/api/"):
            return jsonify(error={"code": "audit_unavailable",
                                  "message": "This action is unavailable right now: it cannot be recorded "
                                             "in the audit log. Try again later."}), 503
        return render_template("errors/error.html", status=503, message=_(
            "This action is unavailable right now because it cannot be recorded in the audit log. "
            "Please try again later.")), 503
