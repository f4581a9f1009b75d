"""Binding a follower to their unit: by invite code, or by naming the unit in words."""
from __future__ import annotations

import re

import nlp.answers
from handlers import submit, texts
from handlers.intents import Intent
from handlers.turn import FORM_STATES, State, Turn
from models.membership import Invitation, bind, find_code, invitation_for, match_units, unbind, unit_by_id
from models.worker import Role

_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·]{1,10}$")

#: Answers to the unbind question that keep the binding.
KEEP_ANSWERS = frozenset({Intent.deny, Intent.cancel, Intent.resume, Intent.back})


def ask(t: Turn, after: str | None = None, first_time: bool = False) -> State:
    """Ask for a code or the unit's name; `after` is the flow to return to once bound."""
    t.mem.after_bind = after
    t.say(texts.BIND_FIRST if after == "submit" else texts.BIND_ASK if not first_time else texts.WELCOME)
    return State.bind_code


def take_code_or_unit(t: Turn) -> State:
    """Bind by an invite code, or find the unit the worker named."""
    code = t.slots_in.get("code") or find_code(t.text)
    if code:
        invitation = invitation_for(t.session, code)
        if invitation is None:
            t.say(texts.BIND_CODE_UNKNOWN.format(code=code))
            return State.bind_code
        return _with_unit(t, invitation, t.slots_in.get("name"))
    units = match_units(t.session, t.slots_in.get("unit_text") or t.text, names=t.unit_names)
    if not units:
        t.say(texts.BIND_UNIT_UNKNOWN)
        return State.bind_code
    if len(units) == 1:
        return _with_unit(t, Invitation(units[0], Role.worker), t.slots_in.get("name"))
    t.mem.unit_options, t.mem.pending_name = [u.id for u in units], t.slots_in.get("name")
    options = "\n".join(f"{i}. {u.full_name()}" for i, u in enumerate(units, 1))
    t.say(texts.BIND_CHOOSE.format(options=options))
    return State.bind_choose


def choose_unit(t: Turn) -> State:
    """Take the number of one of the units offered."""
    options = t.mem.unit_options or []
    try:
        index = int(t.slots_in.get("number", "")) - 1
    except ValueError:
        index = -1
    if not 0 <= index < len(options):
        return take_code_or_unit(t)  # maybe they typed the unit again, or a code
    unit = unit_by_id(t.session, options[index])
    name = t.mem.pending_name
    t.mem.unit_options, t.mem.pending_name = None, None
    if unit is None:  # removed since it was offered
        return ask(t, t.mem.after_bind)
    return _with_unit(t, Invitation(unit, Role.worker), name)


def _with_unit(t: Turn, invitation: Invitation, name: str | None) -> State:
    """Bind now if the name is known, else remember the unit and ask for the name."""
    name = name or t.worker.name
    if not name:
        t.mem.bind_unit, t.mem.bind_role = invitation.unit.id, str(invitation.role)
        t.say(texts.BIND_ASK_NAME.format(unit=invitation.unit.full_name()))
        return State.bind_name
    return _bound(t, invitation, name)


def take_name(t: Turn) -> State:
    """Take the worker's name and finish binding."""
    name = nlp.answers.without_name_prefix(t.text)
    if t.intent == Intent.bind and (t.slots_in.get("code") or t.slots_in.get("unit_text")):
        return take_code_or_unit(t)
    if not _NAME.match(name):
        t.say(texts.BIND_NAME_INVALID)
        return State.bind_name
    unit = unit_by_id(t.session, t.mem.bind_unit)
    if unit is None:
        return ask(t, t.mem.after_bind)
    role = Role(t.mem.bind_role or Role.worker)
    t.mem.bind_unit, t.mem.bind_role = None, None
    return _bound(t, Invitation(unit, role), name)


def _bound(t: Turn, invitation: Invitation, name: str) -> State:
    """Record the binding and go on with what the worker wanted before."""
    role = invitation.role
    if role == Role.worker and t.worker.role in (Role.reviewer, Role.admin):
        role = Role(t.worker.role)
    bind(t.worker, invitation.unit, role, name)
    template = texts.BOUND_COORDINATOR if role == Role.coordinator else texts.BOUND_WORKER
    t.say(template.format(unit=invitation.unit.full_name(), name=name))
    after, t.mem.after_bind = t.mem.after_bind, None
    if after == "submit":
        prefill, t.mem.pending_text = t.mem.pending_text, None
        return submit.start(t, prefill)
    t.say(texts.HELP + (texts.HELP_COORDINATOR if role == Role.coordinator else ""))
    return State.idle


def ask_to_leave(t: Turn) -> State:
    """Ask once before unbinding: a mistyped or misheard "change unit" must not cost the binding (or a role)."""
    if t.dialog.unit_id is None:  # nothing to unbind: ask for the unit they want instead
        t.mem.unit_options = t.mem.pending_name = t.mem.bind_unit = t.mem.bind_role = None
        t.say(texts.NOT_BOUND)
        return State.bind_code
    back_to = t.state if t.state in FORM_STATES else None
    t.mem.unbind_from = str(back_to) if back_to else None
    role = texts.ROLE_NAMES.get(t.worker.role)
    notes = (texts.UNBIND_ROLE_NOTE.format(role=role) if role else "") + (texts.UNBIND_DRAFT_NOTE if back_to else "")
    t.say(texts.UNBIND_ASK.format(unit=_unit_name(t), notes=notes))
    return State.confirm_unbind


def confirm_leave(t: Turn) -> State:
    """The answer to the unbind question: a firm yes unbinds, a no keeps the binding, anything else asks again."""
    if t.firm_yes():
        drop_leave(t)
        return leave(t)
    if t.intent in KEEP_ANSWERS:
        return stay(t)
    t.say(texts.UNBIND_ASK_AGAIN)
    return State.confirm_unbind


def stay(t: Turn) -> State:
    """Keep the binding and go back to the form the question interrupted, if any."""
    back_to = drop_leave(t)
    t.say(texts.UNBIND_KEPT.format(unit=_unit_name(t)))
    if back_to in FORM_STATES:
        t.say(texts.RESUMING.format(question=submit.question(t, back_to)))
    return back_to


def drop_leave(t: Turn) -> State:
    """Forget the unbind question; return the state the worker was in when it was asked."""
    back_to, t.mem.unbind_from = State.of(t.mem.unbind_from), None
    return back_to


def leave(t: Turn) -> State:
    """Unbind the worker from their unit; a draft they were filling stays theirs."""
    unit = _unit_name(t)
    unbind(t.worker)
    t.say(texts.UNBOUND.format(unit=unit))
    return State.idle


def _unit_name(t: Turn) -> str:
    """The full name of the unit the worker is bound to."""
    return t.worker.unit.full_name() if t.worker.unit else ""
