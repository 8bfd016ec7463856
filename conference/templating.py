"""What templates get besides their context: country names, local times (with their zone),
status colours, the registration's declared fields."""

from flask import Flask, g
from flask_login import current_user

from conference.countries import by_name, country_name
from conference.local_time import date_range, format_local_span, format_local_time
from conference.models import RegistrationStatus, TeamRole
from conference.permissions import permissions_of
from conference.services.registration import fields
from conference.services.text import counted

STATUS_COLOURS = {
    RegistrationStatus.PENDING: "warning",
    RegistrationStatus.APPROVED: "success",
    RegistrationStatus.WAITLISTED: "info",
    RegistrationStatus.REJECTED: "danger",
    RegistrationStatus.CANCELLED: "secondary",
}


def status_label(status: str) -> str:
    return RegistrationStatus(status).label


def role_label(role: str) -> str:
    return TeamRole(role).label


def _can(permission: str) -> bool:
    """In a template: whether the current user may do this in the page's event."""
    return "event" in g and permission in permissions_of(current_user, g.event)


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(country_name)
    app.add_template_filter(by_name, "countries_by_name")
    app.add_template_filter(status_label)
    app.add_template_filter(role_label)
    app.add_template_filter(counted)
    app.add_template_filter(format_local_time, "local_time")
    app.add_template_filter(format_local_span, "local_span")
    app.add_template_global(date_range)
    # The registration's fields, as declared once: the form, the status page and the
    # organisers' page loop over them.
    app.add_template_global(fields.FIELDS, "registration_fields")
    app.add_template_global(fields.SECTIONS, "registration_sections")
    app.add_template_global(fields.BY_NAME, "registration_field")
    app.add_template_global(lambda status: STATUS_COLOURS.get(status, "secondary"), "status_colour")
    app.context_processor(
        lambda: {"event": g.get("event"), "can": _can, "site_name": app.config["SITE_NAME"]}
    )
