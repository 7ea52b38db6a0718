"""`sanctum alerts ...` and `sanctum webhooks ...`: thin commands over monitor/.

Added to the main `sanctum` app by cli.py; the store, errors and output are cli_output's,
as for every command. Changes name their operator with `--as NAME` (four eyes compares
these names; the audit trail records them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sanctum.cli_output import (
    console,
    failing,
    open_store,
    out,
    print_json,
    print_records,
    print_rows,
)
from sanctum.explain import explain_line

alerts_app = typer.Typer(
    help="Alerts of the monitored customer book: work, decide, approve.", no_args_is_help=True
)
webhooks_app = typer.Typer(
    help="Receivers of new, reopened and closed alerts (signed JSON POSTs).",
    no_args_is_help=True,
)

AsJson = Annotated[bool, typer.Option("--json", help="JSON output.")]
Operator = Annotated[str, typer.Option("--as", help="Who does this (recorded and audited).")]
AlertId = Annotated[int, typer.Argument(help="The alert's id.")]


def _say(text: str) -> None:
    """A line on stdout, as written."""
    out.print(text, highlight=False, markup=False)


def _say_err(text: str) -> None:
    """A line on stderr (progress and counts)."""
    console.print(text, highlight=False, markup=False)


@alerts_app.command("list")
def alerts_list(
    status: Annotated[str | None, typer.Option(help="Only alerts of this status.")] = None,
    as_json: AsJson = False,
) -> None:
    """Alerts, oldest first (status open, needs_info, pending_approval, true_match,
    false_positive or closed)."""
    from sanctum.monitor import views

    with failing():
        found = views.list_alerts(open_store(), status)
    cols = ("id", "status", "customer_id", "party_id", "caption", "score", "reason")
    print_records(found, "Alerts", cols, as_json)


def _versions(versions: dict[str, str]) -> str:
    return ", ".join(f"{source} {day}" for source, day in sorted(versions.items()))


def _print_alert(view: dict[str, Any]) -> None:
    head = f"alert {view['id']} · {view['status']} ({view['reason']}) · version {view['version']}"
    _say(head)
    _say(
        f"customer {view['customer_id']} ↔ party {view['party_id']} ({view['caption']}), "
        f"score {view['score']}; lists {_versions(view['list_versions'])}; matcher "
        f"{view['matcher_version']}",
    )
    rows = [[r["field"], r["customer"], r["party"]] for r in view["side_by_side"]]
    print_rows("Customer and listed party", ("field", "customer", "party"), rows)
    _say("explanation: " + explain_line(view["explanation"]))
    for note in view["explanation"].get("notes") or []:
        _say(f"  {note}")
    if view["decisions"]:
        cols = ("decision", "reason", "decided_by", "state", "reviewed_by", "review_reason")
        print_rows("Decisions", cols, [[d[c] for c in cols] for d in view["decisions"]])
    events = [[e["at"], e["actor"], e["kind"], e["detail"]] for e in view["history"]]
    print_rows("History", ("at", "actor", "event", "detail"), events)


@alerts_app.command("show")
def alerts_show(alert_id: AlertId, as_json: AsJson = False) -> None:
    """An alert: customer and party side by side, the per-feature explanation, list and
    matcher versions, decisions and history."""
    from sanctum.monitor import views

    with failing():
        view = views.show(open_store(), alert_id)
    if as_json:
        print_json(view)
    else:
        _print_alert(view)


def _done(view: dict[str, Any]) -> None:
    _say(
        f"alert {view['id']}: {view['status']} ({view['reason']}), version {view['version']}",
    )


@alerts_app.command("decide")
def alerts_decide(
    alert_id: AlertId,
    decision: Annotated[str, typer.Option(help="true_match, false_positive or needs_info.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the decision).")],
    operator: Operator,
) -> None:
    """Decide an alert; true_match and false_positive take effect once another identity
    approves them."""
    from sanctum.monitor import decisions

    with failing():
        _done(decisions.decide(open_store(), alert_id, decision, reason, operator))


def _review(alert_id: int, approve: bool, operator: str, reason: str) -> None:
    from sanctum.monitor import decisions

    with failing():
        _done(decisions.review(open_store(), alert_id, approve, operator, reason))


@alerts_app.command("approve")
def alerts_approve(
    alert_id: AlertId, operator: Operator, reason: Annotated[str, typer.Option()] = ""
) -> None:
    """Approve the pending decision (not as the identity that made it)."""
    _review(alert_id, True, operator, reason)


@alerts_app.command("reject")
def alerts_reject(
    alert_id: AlertId, operator: Operator, reason: Annotated[str, typer.Option()] = ""
) -> None:
    """Reject the pending decision: the alert is open again."""
    _review(alert_id, False, operator, reason)


@alerts_app.command("export")
def alerts_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="A .csv or .xlsx file.")],
) -> None:
    """Every alert with its latest decision, as CSV or XLSX."""
    from sanctum.monitor import views

    with failing():
        count = views.export(open_store(), output)
    _say_err(f"{count} alerts written to {output}")


@alerts_app.command("suppressions")
def alerts_suppressions(
    every: Annotated[bool, typer.Option("--all", help="Ended and expired ones too.")] = False,
    as_json: AsJson = False,
) -> None:
    """Suppressed (customer, party) pairs: approved false positives kept quiet."""
    from sanctum.monitor import suppress
    from sanctum.store.db import now

    found = suppress.listing(open_store().db, now(), every)
    cols = ("id", "state", "alert_id", "customer_id", "party_id", "created_by", "expires_at")
    print_records(found, "Suppressions", cols, as_json)


@alerts_app.command("revoke-suppression")
def alerts_revoke_suppression(
    suppression_id: Annotated[int, typer.Argument(help="The suppression's id.")],
    reason: Annotated[str, typer.Option(help="Why (kept and audited).")],
    operator: Operator,
) -> None:
    """End a suppression now; its alert is open again."""
    from sanctum.monitor import decisions

    with failing():
        ended = decisions.revoke_suppression(open_store(), suppression_id, operator, reason)
    _say(f"suppression {ended['id']} {ended['state']}: {ended['end_reason']}")


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Where to POST (http:// or https://).")],
    secret: Annotated[str, typer.Option(help="Key of the HMAC-SHA256 signature.")],
    operator: Annotated[str, typer.Option("--as", help="Who adds it.")] = "cli",
) -> None:
    """Send every new, reopened and closed alert to URL from now on."""
    from sanctum.monitor import webhooks

    with failing():
        hook = webhooks.add(open_store(), url, secret, operator)
    _say(f"webhook {hook['id']} added: {hook['url']}")


@webhooks_app.command("list")
def webhooks_list(as_json: AsJson = False) -> None:
    """Webhooks (never their secrets) and their deliveries by state."""
    from sanctum.monitor import webhooks

    found = webhooks.listing(open_store())
    cols = ("id", "url", "created_at", "created_by", "deliveries")
    print_records(found, "Webhooks", cols, as_json)


@webhooks_app.command("remove")
def webhooks_remove(
    hook_id: Annotated[int, typer.Argument(help="The webhook's id.")],
    operator: Annotated[str, typer.Option("--as", help="Who removes it.")] = "cli",
) -> None:
    """Stop sending to a webhook."""
    from sanctum.monitor import webhooks

    with failing():
        webhooks.remove(open_store(), hook_id, operator)
    _say(f"webhook {hook_id} removed")


@webhooks_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option(help="Keep delivering until interrupted.")] = False,
) -> None:
    """Send the deliveries that are due (`sanctum serve` does this by itself)."""
    import time

    from sanctum import settings
    from sanctum.monitor import webhooks

    store = open_store()
    while True:
        report = webhooks.deliver_due(store)
        _say_err(
            f"{report.attempted} attempted, {report.delivered} delivered, {report.failed} "
            f"failed; {webhooks.pending(store)} pending",
        )
        if not loop:
            return
        time.sleep(settings.webhook_interval())
