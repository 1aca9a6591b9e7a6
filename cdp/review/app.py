"""The review desk's web app (Flask, server-rendered pages): the queue, one item, decide, rebuild.

Safe by default: `cdp review` binds to 127.0.0.1; every page is served with a Content-Security-Policy that lets it
load nothing but itself (no CDN, no web font: the CSS and the small keyboard script are inline), and `no-store` (the
records' PII stays in the database, readable by whoever can read it); a request whose Host is not the loopback
name it was served under is refused (no DNS rebinding); every form carries the app's token (no cross-site posts).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, flash, get_flashed_messages, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from cdp.review.desk import ACTIONS, DatabaseBusy, DecisionError, Desk

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def create_app(desk: Desk, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    token = secrets.token_urlsafe(24)
    hosts = set(allowed_hosts)

    @app.before_request
    def _check() -> None:
        if request.host.rsplit(":", 1)[0] not in hosts and request.host not in hosts:
            abort(400, description=f"host {request.host!r} is not the desk's address")
        if request.method == "POST" and request.form.get("token") != token:
            abort(400, description="the form's token is missing or stale: reload the page")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.errorhandler(DatabaseBusy)
    def _busy(error: DatabaseBusy) -> tuple[str, int]:
        return _page("message.html", title="Database busy", message=str(error)), 503

    def _page(template: str, **context: Any) -> str:
        return render_template(template, token=token, reviewer=desk.reviewer, desk=desk,
                               messages=get_flashed_messages(with_categories=True), **context)

    @app.get("/")
    def queue() -> str:
        filters = {key: request.args.get(key) or None for key in ("group", "system", "band")}
        return _page("queue.html", title="Review queue", filters=filters, **desk.queue(**filters))

    @app.get("/item/<review_item_id>")
    def item(review_item_id: str) -> str:
        found = desk.item(review_item_id)
        if found is None:
            abort(404, description=f"no review item {review_item_id} in the queue")
        return _page("item.html", title=f"Review item {review_item_id[:10]}", item=found,
                     next_id=desk.next_open(review_item_id))

    @app.get("/pair")
    def pair() -> tuple[str, int]:
        try:
            found = desk.pair(request.args.get("left", ""), request.args.get("right", ""))
        except DecisionError as error:
            return _page("message.html", title="No such pair", message=str(error), error=True), error.status
        return _page("item.html", title="A pair", item=found, next_id=None), 200

    def _find(review_item_id: str, pair: tuple[str, str] | None) -> dict[str, Any] | None:
        if pair is None:
            return desk.item(review_item_id)
        try:
            return desk.pair(*pair)
        except DecisionError:
            return None

    @app.post("/item/<review_item_id>/decide")
    def decide(review_item_id: str) -> Response | tuple[str, int]:
        choice = request.form.get("decision", "")
        pair = ((request.form.get("left", ""), request.form.get("right", ""))
                if review_item_id.startswith("pair-") else None)
        if choice == "skip":
            following = desk.next_open(review_item_id)
            return redirect(url_for("item", review_item_id=following) if following else url_for("queue"))
        try:
            decision = desk.decide(review_item_id, choice, request.form.get("reason", ""), pair=pair)
        except DecisionError as error:
            found = _find(review_item_id, pair)
            if found is None:
                return _page("message.html", title="Not decided", message=str(error), error=True), error.status
            return _page("item.html", title="Not decided", item=found, next_id=desk.next_open(review_item_id),
                         error=str(error), reason=request.form.get("reason", ""), choice=choice), error.status
        flash(f"Recorded {decision.override_id}: {decision.action} {decision.left_source_system}:"
              f"{decision.left_source_record_id} and {decision.right_source_system}:{decision.right_source_record_id}"
              f" by {decision.decided_by}, reason: {decision.reason}", "ok")
        following = desk.next_open(review_item_id)
        return redirect(url_for("item", review_item_id=following) if following else url_for("queue"))

    @app.post("/rebuild")
    def rebuild() -> tuple[str, int]:
        try:
            result = desk.rebuild(desk.decided_records())
        except DecisionError as error:
            return _page("message.html", title="Rebuild", message=str(error), error=True), error.status
        return _page("rebuild.html", title="Rebuild", result=result), 200 if result.ok else 500

    @app.get("/rebuild")
    def last_rebuild() -> str:
        return _page("rebuild.html", title="Rebuild", result=desk.last_rebuild)

    app.jinja_env.globals["actions"] = ACTIONS
    return app
