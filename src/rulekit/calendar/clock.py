"""The one place rulekit reads the clock: "today" in the school's time zone.

A due date is a day of the school's calendar. A CI runner on UTC that asked its own
clock would still see yesterday until 08:00 in Taipei and keep a result pending
that is already late, so every default date goes through `today_in` with the zone
the policy declares. Tests pin the moment by replacing `now`.
"""
from __future__ import annotations

import datetime as dt

from .dates import DateError
from ..i18n import _


def now() -> dt.datetime:
    """This instant, with its UTC offset attached."""
    return dt.datetime.now(dt.timezone.utc)


def zone(name: str) -> dt.tzinfo:
    """The IANA time zone `name` (Asia/Taipei); DateError when this machine does not know it."""
    # imported here: zoneinfo loads sysconfig, which a command given --as-of never needs
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: an absolute path, a key with .., a file that is no zone (zone.tab); OSError: unreadable
        if not available_timezones():
            raise DateError(_("time zone {name} is not known: this machine has no time zone database").format(name=name),
                            hint=_("install the tzdata package (pip install tzdata)")) from None
        raise DateError(_("time zone {name} is not known").format(name=name),
                        hint=_("use an IANA time zone name such as Asia/Taipei")) from None


def today_in(name: str = "") -> dt.date:
    """Today's date in the time zone `name`; "" means the machine's own zone."""
    return now().astimezone(zone(name) if name else None).date()
