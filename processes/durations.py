"""ISO-8601 durations, read the way SpiffWorkflow's timers read them.

The webapp's due dates and the engine's timers must agree on what ``P1M`` or ``PT36H``
means, so both go through SpiffWorkflow's parser; this module is how code outside
``processes/`` reaches it without importing SpiffWorkflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def iso_duration(text: str, *, start: datetime) -> timedelta:
    """How long the ISO-8601 duration ``text`` (``P3D``, ``PT36H``, ``P1M``) lasts from
    ``start``: years and months add up the lengths of the calendar months from ``start``
    on, as a timer does. Raises SpiffWorkflow's ``Exception('Invalid duration')`` for
    text that is not a duration (a deploy refuses such a model first)."""
    parsed = TimerEventDefinition.parse_iso_duration(text)
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return delta
