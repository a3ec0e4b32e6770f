"""Helpers for data migrations that put a task on Celery beat's schedule (kept in the database,
editable in the admin): every schedule entry of the project is written by these two functions.

Times are in Asia/Shanghai, the zone the regulators work in.
"""

from __future__ import annotations

from django.apps.registry import Apps

ZONE = "Asia/Shanghai"


def schedule(apps: Apps, *, name: str, task: str, at: tuple[int, int] | None = None, every_hours: int = 0) -> None:
    """Run ``task`` daily ``at`` (hour, minute), or every ``every_hours`` hours; a task of that name is kept."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if at is not None:
        hour, minute = at
        crontab, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            minute=str(minute), hour=str(hour), day_of_week="*", day_of_month="*", month_of_year="*", timezone=ZONE
        )
        when = {"crontab": crontab}
    elif every_hours:
        interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
            every=every_hours, period="hours"
        )
        when = {"interval": interval}
    else:
        raise ValueError("give the time of day (at) or the interval (every_hours)")
    PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "enabled": True, **when})


def unschedule(apps: Apps, *, name: str) -> None:
    """Take the task named ``name`` off the schedule."""
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
