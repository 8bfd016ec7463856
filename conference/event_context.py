"""URLs carry the event's slug: `/<event_slug>/...`. This loads the event once per request."""

from flask import Blueprint, abort, current_app, g

from conference.services.events.finding import event_by_slug


def attach_event(blueprint: Blueprint) -> None:
    """Put the URL's event in `g.event`, and let `url_for` fill in its slug."""

    @blueprint.url_value_preprocessor
    def load_event(endpoint, values):
        if values and "event_slug" in values:
            g.event = event_by_slug(values.pop("event_slug")) or abort(404)

    @blueprint.url_defaults
    def add_event_slug(endpoint, values):
        if (
            "event_slug" not in values
            and "event" in g
            and current_app.url_map.is_endpoint_expecting(endpoint, "event_slug")
        ):
            values["event_slug"] = g.event.slug
