"""Helpers for the sign-in rules' tests: the manager's real page sets them."""

from django.urls import reverse
from django.utils import timezone

from footsteps.security.access import setting_zone

RULES_FORM = {
    "staff_idle_minutes": 30,
    "parent_idle_minutes": 60,
    "staff_days": ["0", "1", "2", "3", "4"],
    "opens_at": "07:00",
    "closes_at": "19:00",
    "networks": "",
    "staff_second_factor": "on",
}


def set_rules(world, **values):
    """The manager saves the rules page, changing `values`."""
    data = {**RULES_FORM, **values}
    done = world.client("manager").post(reverse("access_rules"), data)
    assert done.status_code == 302, done.context["form"].errors
    return done


def today(world) -> str:
    """Today's weekday in the setting's time zone ("0" is Monday)."""
    setting = world.members["manager"].setting
    return str(timezone.localtime(timezone.now(), setting_zone(setting)).weekday())


def closed_today(world) -> dict:
    """Staff hours that leave out the whole of today."""
    days = [day for day in "0123456" if day != today(world)]
    return {"limit_hours": "on", "staff_days": days, "opens_at": "00:00", "closes_at": "23:59"}
