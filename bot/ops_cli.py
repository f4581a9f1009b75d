"""Operations commands: rounds and targets, reminders, the outbox, the scheduler, unit import."""
from __future__ import annotations

import json
import logging
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path

import click

from bot.command_setup import opened
from models.clock import as_local, utcnow
from models.clock import local as local_time


def parse_local(value: str) -> datetime:
    """Parse a time as people write it: Asia/Shanghai unless it carries its own offset."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 2026-11-28 09:00") from None
    return as_local(parsed)


def local(moment: datetime | None) -> str:
    """Format a stored time for people (Asia/Shanghai)."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


@click.group("round")
def round_group() -> None:
    """Contest rounds, their deadlines and targets."""


@round_group.command("list")
def round_list() -> None:
    """List rounds with their deadlines (Asia/Shanghai)."""
    from models.rounds import list_rounds

    with opened() as (_, db), db.transaction() as session:
        for r in list_rounds(session):
            click.echo(f"{r.id}  {r.name}  opens {local(r.opens_at)}  submission {local(r.submission_deadline)}  "
                       f"unit review {local(r.unit_review_deadline)}  city review {local(r.city_review_deadline)}  "
                       f"publication {local(r.publication_at)}")


@round_group.command("create")
@click.option("--name", required=True)
@click.option("--year", type=int, required=True)
@click.option("--opens", required=True, help="e.g. 2026-09-01 08:00")
@click.option("--submission", required=True)
@click.option("--unit-review", required=True)
@click.option("--city-review", required=True)
@click.option("--publication", default=None)
def round_create(name: str, year: int, opens: str, submission: str, unit_review: str, city_review: str,
                 publication: str | None) -> None:
    """Create a round with its phase deadlines."""
    from models.rounds import create_round

    with opened() as (_, db), db.transaction() as session:
        round_ = create_round(session, name, year, parse_local(opens), parse_local(submission),
                              parse_local(unit_review), parse_local(city_review),
                              parse_local(publication) if publication else None)
        click.echo(f"round {round_.id} created: {round_.name}")


@round_group.command("move")
@click.argument("round_id", type=int)
@click.argument("phase", type=click.Choice(["opens", "submission", "unit_review", "city_review", "publication"]))
@click.argument("when")
def round_move(round_id: int, phase: str, when: str) -> None:
    """Move a phase deadline; reminders are planned again from the new date."""
    from models.reminders import move_deadline_and_replan

    with opened() as (_, db), db.transaction() as session:
        dropped = move_deadline_and_replan(session, round_id, phase, parse_local(when))
    click.echo(f"round {round_id}: {phase} now {local(parse_local(when))}")
    if dropped:
        click.echo(f"{dropped} queued reminders with the old date dropped; the rules plan them again "
                   "(`python -m bot remind`, or the scheduler at 09:00)")


@round_group.command("target")
@click.argument("round_id", type=int)
@click.argument("unit_id", type=int)
@click.argument("count", type=int)
@click.option("--split", is_flag=True, help="Then split it evenly among the unit's children.")
def round_target(round_id: int, unit_id: int, count: int, split: bool) -> None:
    """Set a unit's target in a round (optionally split among its children)."""
    from models.targets import set_target, split_target

    with opened() as (_, db), db.transaction() as session:
        set_target(session, round_id, unit_id, count)
        for target in split_target(session, round_id, unit_id) if split else []:
            click.echo(f"unit {target.unit_id}: {target.count}")
        click.echo(f"unit {unit_id}: target {count}")


@round_group.command("progress")
@click.argument("round_id", type=int)
@click.option("--unit", "unit_id", type=int, default=None, help="A unit and its direct children only.")
def round_progress(round_id: int, unit_id: int | None) -> None:
    """Show submitted / approved / target for every unit (or one unit and its children)."""
    from models.stats import progress_tree, unit_progress

    with opened() as (_, db), db.transaction() as session:
        rows = unit_progress(session, round_id, unit_id) if unit_id else list(progress_tree(session, round_id).values())
        for p in rows:
            target = "-" if p.target is None else p.target
            click.echo(f"{p.unit_id:>5}  {p.name}  submitted {p.submitted}/{target}  approved {p.approved}  "
                       f"pending {p.pending}")


@click.command("remind")
@click.option("--at", "at_text", default=None, help='Evaluate as of this time, e.g. "2026-11-28 09:00" (default: now).')
@click.option("--dry-run", is_flag=True, help="Print what would be sent; queue nothing.")
def remind_command(at_text: str | None, dry_run: bool) -> None:
    """Evaluate the reminder rules as of a time and queue what is due (once per key)."""
    from bot.scheduler import rules_from
    from handlers.notices import text_of
    from models.reminders import remind

    at = parse_local(at_text) if at_text else utcnow()
    with opened() as (settings, db), db.transaction() as session:
        planned = remind(session, at, rules_from(settings), dry_run=dry_run)
    for push in planned:
        mark = ("would queue" if dry_run else "queued") if push.new else "already queued"
        click.echo(f"[{mark}] {push.notice.key} → {push.notice.recipient} at {local(push.not_before)}")
        if dry_run and push.new:
            click.echo("    " + text_of(push.notice.kind, push.notice.fields).replace("\n", "\n    "))
    new = sum(p.new for p in planned)
    click.echo(f"{len(planned)} due, {new} {'would be ' if dry_run else ''}new")


@click.command("send-outbox")
@click.option("--settle", is_flag=True, help="Also wait for retries until nothing is left.")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long.")
@click.option("--at", "at_text", default=None,
              help='Send as if it were this time, e.g. "2026-11-29 08:00": rehearse the morning in the demo.')
def send_outbox_command(settle: bool, max_seconds: float | None, at_text: str | None) -> None:
    """Send the queued messages that are due, at the configured rate (quiet hours hold pushes)."""
    from bot.sender import Sender

    shift = parse_local(at_text) - utcnow() if at_text else timedelta(0)
    with opened() as (settings, db):
        sender = Sender(settings, db, clock=lambda: utcnow() + shift)
        report = sender.drain(settle=settle, max_seconds=max_seconds)
        waiting, due = sender.pending()
    click.echo(f"sent {report.sent}, retry later {report.retried}, undeliverable {report.undeliverable}, "
               f"held for quiet hours {report.deferred}, held for the worker {report.held}, failed {report.failed}, "
               f"outcome unknown {report.unknown}"
               + (f"; paused: {report.stopped_by}" if report.stopped_by else ""))
    if waiting:
        later = due is not None and due > utcnow() + shift
        hint = f' (`python -m bot send-outbox --at "{local(due)}"` sends as of then)' if later else ""
        click.echo(f"{waiting} still waiting, the next at {local(due)}{hint}")


@click.command("outbox")
@click.option("--status", default=None, help="Only messages in this status (e.g. unknown, held, failed).")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--requeue", "requeue_ids", type=int, multiple=True,
              help="Send message ID again (unknown, failed, held or undeliverable ones); may be repeated.")
@click.option("--json", "as_json", is_flag=True)
def outbox_command(status: str | None, limit: int, requeue_ids: tuple[int, ...], as_json: bool) -> None:
    """Show how many messages are in each status and the newest ones; requeue settled ones after a look.

    held: waits for the worker to write again (WeChat's 48-hour window or message limit);
    unknown: the request left and no answer came, so it may have arrived and is not resent by itself.
    """
    from models.sending import recent_messages, requeue, status_counts

    with opened() as (_, db), db.transaction() as session:
        for message_id in requeue_ids:
            requeued = requeue(session, message_id, utcnow())
            click.echo(f"{message_id}: queued again" if requeued else f"{message_id}: no such message, or not settled")
        counts = status_counts(session)
        rows = [{"id": m.id, "key": m.key, "openid": m.openid, "kind": m.kind, "status": m.status,
                 "attempts": m.attempts, "pauses": m.pauses, "next_attempt": local(m.next_attempt_at),
                 "sent": local(m.sent_at), "error": m.last_error} for m in recent_messages(session, limit, status)]
    if as_json:
        click.echo(json.dumps({"counts": counts, "messages": rows}, ensure_ascii=False, indent=2))
        return
    click.echo("  ".join(f"{k}: {v}" for k, v in counts.items()))
    for row in rows:
        click.echo(f"{row['id']:>6}  {row['status']:<13} {row['attempts']}  {row['key']}  → {row['openid']}  "
                   f"next {row['next_attempt']}  sent {row['sent']}" + (f"  ({row['error']})" if row["error"] else ""))


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler (reminders at 09:00, outbox drained, photos fetched); a second one stands by."""
    from bot.scheduler import SchedulerProcess

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with opened() as (settings, db):
        click.echo(f"scheduler starting (lease {settings.scheduler_lease_seconds:.0f} s)")
        SchedulerProcess(settings, db).run(stop)


@click.command("import-units")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_id", type=int, default=None, help="Round the targets belong to.")
@click.option("--dry-run", is_flag=True, help="Check the sheet and report; change nothing.")
def import_units_command(path: Path, round_id: int | None, dry_run: bool) -> None:
    """Import units (and targets) from an Excel sheet, with a row-by-row report."""
    from models.unit_import import import_units

    with opened() as (_, db), db.sessions() as session:
        report = import_units(session, path, round_id)
        if dry_run or report.errors:
            session.rollback()
        else:
            session.commit()
    for line in report.lines():
        click.echo(line)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} rows have errors; nothing was imported")
    click.echo(("checked" if dry_run else "imported") + f": {report.created} new units, {report.updated} updated, "
               f"{report.targets} targets")


#: The operations commands, added to `python -m bot` by bot/cli.py.
COMMANDS = (round_group, remind_command, send_outbox_command, outbox_command, scheduler_command,
            import_units_command)
