"""A coordinator's unit numbers in the chat: submitted and approved against the target, by team."""
from __future__ import annotations

from handlers import texts
from handlers.turn import Turn
from models.round import round_for
from models.stats import unit_progress


def say_unit_stats(t: Turn) -> None:
    """Say the unit's progress and each team's, from the same counts the pages and exports use."""
    round_, unit_id = round_for(t.session, t.now), t.unit_in_charge
    if round_ is None or unit_id is None:
        t.say(texts.NO_ROUND)
        return
    own, *children = unit_progress(t.session, round_.id, unit_id)
    lines = "\n".join(texts.STATS_LINE.format(name=r.name, submitted=r.submitted, approved=r.approved,
                                              target=r.target if r.target else texts.STATS_NO_TARGET)
                      for r in children)
    t.say(texts.STATS.format(unit=own.name, round=round_.name, submitted=own.submitted, approved=own.approved,
                             target=own.target if own.target else texts.STATS_NO_TARGET, lines=lines).rstrip())
