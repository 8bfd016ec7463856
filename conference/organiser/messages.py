"""Messages to a group of delegates and reminders: write, count, try on oneself, send; the
messages sent with each copy's delivery; reminders scheduled, changed and cancelled."""

from datetime import time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.extensions import db
from conference.local_time import to_local
from conference.models import Message, MessageState
from conference.organiser import blueprint
from conference.organiser.message_forms import MessageForm, ReminderCancelForm, ReminderForm
from conference.organiser.paging import requested_page
from conference.organiser.registration_forms import audience_filter, offer_audience_choices
from conference.permissions import Permission, requires, sees_sensitive_data
from conference.refusals import on_refusal, refused_error
from conference.services.errors import InvalidTransition
from conference.services.mail import messages, reminders
from conference.services.mail.placeholders import REGISTRATION_PLACEHOLDERS
from conference.services.registration import listing
from conference.services.registration.listing import RegistrationFilter
from conference.services.text import counted

COPIES_PER_PAGE = 100
DEFAULT_SUBJECT = "{event_short}: "
DEFAULT_BODY = "Dear {name},\n\n\n\nYour registration {reference}: {registration_link}\n"


def _with_group_choices(form):
    offer_audience_choices(
        form,
        listing.countries_of(g.event),
        [link.organisation for link in g.event.organisations],
        listing.tags_of(g.event),
        sees_sensitive_data(current_user, g.event),
        listing.workshops_of(g.event),
    )
    return form


def _opened_with_group(form_class, defaults: dict, group: RegistrationFilter | None = None):
    """A form as first shown: the group from the query string (the registration list's filter)
    or from `group`, approved delegates when neither names one."""
    args = group.as_args() if group is not None else request.args.to_dict()
    form = _with_group_choices(form_class(formdata=None, data={**defaults, **args}))
    if not args:
        form.status.data = "approved"
    if not form.group_is_valid():
        abort(400)
    return form


def _message_list(template: str, **context):
    return render_template(template, placeholders=REGISTRATION_PLACEHOLDERS, **context)


# --- messages ----------------------------------------------------------------------------------


@blueprint.context_processor
def message_titles():
    return {"title_of": messages.title_of}


@blueprint.route("/messages", endpoint="messages")
@requires(Permission.VIEW)
def messages_page():
    sent = messages.sent_messages(g.event)
    return render_template(
        "organiser/messages.html", sent=sent, deliveries=messages.delivery_counts(sent)
    )


def _composer(form: MessageForm, status: int = 200):
    group = audience_filter(form)
    reach = messages.reach(g.event, group)
    # What "Send to N delegates" means on this page: the count shown, not the one sent with
    # the form (a field renders what was sent, so both are set).
    form.expected.data, form.expected.raw_data = reach.count, [str(reach.count)]
    return _message_list(
        "organiser/messages_new.html",
        form=form,
        reach=reach,
        group=messages.group_in_words(g.event, group),
    ), status


@blueprint.route("/messages/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_message():
    if request.method == "GET":
        return _composer(
            _opened_with_group(MessageForm, {"subject": DEFAULT_SUBJECT, "body": DEFAULT_BODY})
        )
    form = _with_group_choices(MessageForm())
    if not form.validate_on_submit():
        return _composer(form, status=400)
    if form.action.data == "count":
        return _composer(form)
    on_refusal(lambda: _composer(form), form)
    words = {"subject": form.subject.data or "", "body": form.body.data or ""}
    if form.action.data == "test":
        email = messages.send_test(
            g.event, **words, filters=audience_filter(form), actor=current_user
        )
        db.session.commit()
        flash(f"A test is on its way to you at {email.recipient}, marked [Test].", "success")
        return _composer(form)
    message = messages.send_message(
        g.event,
        **words,
        filters=audience_filter(form),
        expected=form.expected.data if form.expected.data is not None else -1,
        batch=form.batch.data,
        actor=current_user,
    )
    db.session.commit()
    flash(
        f"Sent to {counted(message.recipient_count, 'delegate')}: each copy is in the mail "
        "queue. Their deliveries are below.",
        "success",
    )
    return redirect(url_for("organiser.message", message_id=message.id))


def _message_or_404(message_id: int) -> Message:
    message = messages.message_of(g.event, message_id)
    if message is None:
        abort(404)
    return message


@blueprint.route("/messages/<int:message_id>", endpoint="message")
@requires(Permission.VIEW)
def message_page(message_id: int):
    message = _message_or_404(message_id)
    group = messages.audience_of(message)
    copies, registrations = messages.copies_page(message, requested_page(), COPIES_PER_PAGE)
    return render_template(
        "organiser/message.html",
        message=message,
        group=messages.group_in_words(g.event, group),
        reach=messages.reach(g.event, group) if message.state == MessageState.SCHEDULED else None,
        copies=copies,
        registrations=registrations,
        deliveries=messages.delivery_counts([message])[message.id],
    )


# --- reminders ---------------------------------------------------------------------------------


@blueprint.route("/reminders", endpoint="reminders")
@requires(Permission.VIEW)
def reminders_page():
    scheduled = reminders.reminders_of(g.event)
    return render_template(
        "organiser/reminders.html",
        reminders=scheduled,
        groups={r.id: messages.group_in_words(g.event, messages.audience_of(r)) for r in scheduled},
        reaches={
            r.id: messages.reach(g.event, messages.audience_of(r)).count
            for r in scheduled
            if r.state == MessageState.SCHEDULED
        },
        deliveries=messages.delivery_counts([r for r in scheduled if r.state == "sent"]),
        due_in={r.id: reminders.due_in_words(r.send_at) for r in scheduled},
        cancel_form=ReminderCancelForm(),
    )


def _reminder_form_page(form: ReminderForm, reminder: Message | None = None, status: int = 200):
    group = audience_filter(form)
    return _message_list(
        "organiser/reminders_form.html",
        form=form,
        reminder=reminder,
        reach=messages.reach(g.event, group),
        group=messages.group_in_words(g.event, group),
    ), status


def _when(form: ReminderForm) -> reminders.When:
    if form.timing.data == "on":
        return reminders.When(at=form.at.data, on=form.on.data)
    return reminders.When(at=form.at.data, days_before=form.days_before.data)


def _words(form) -> dict:
    return {"subject": form.subject.data or "", "body": form.body.data or ""}


@blueprint.route("/reminders/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_reminder():
    if request.method == "GET":
        subject, body = reminders.default_words(g.event)
        defaults = {"subject": subject, "body": body, "at": time(9, 0)}
        return _reminder_form_page(_opened_with_group(ReminderForm, defaults))
    form = _with_group_choices(ReminderForm())
    if not form.validate_on_submit():
        return _reminder_form_page(form, status=400)
    if form.action.data == "count":
        return _reminder_form_page(form)
    on_refusal(lambda: _reminder_form_page(form), form)
    reminder = reminders.schedule_reminder(
        g.event, **_words(form), filters=audience_filter(form), when=_when(form), actor=current_user
    )
    db.session.commit()
    flash(f"The reminder “{messages.title_of(reminder, g.event)}” is scheduled.", "success")
    return redirect(url_for("organiser.reminders"))


@blueprint.route("/reminders/<int:message_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_reminder(message_id: int):
    reminder = _message_or_404(message_id)
    if not reminder.is_reminder:
        abort(404)
    if request.method == "GET":
        if reminder.state != MessageState.SCHEDULED:
            flash(f"This reminder is {reminder.state}: it can no longer change.", "info")
            return redirect(url_for("organiser.message", message_id=reminder.id))
        local = to_local(reminder.send_at, g.event.timezone)
        timing = {"timing": "before", "days_before": reminder.days_before}
        if reminder.days_before is None:
            timing = {"timing": "on", "on": local.date()}
        defaults = {"subject": reminder.subject, "body": reminder.body, "at": local.time()}
        form = _opened_with_group(
            ReminderForm, {**defaults, **timing}, messages.audience_of(reminder)
        )
        return _reminder_form_page(form, reminder)
    form = _with_group_choices(ReminderForm())
    if not form.validate_on_submit():
        return _reminder_form_page(form, reminder, status=400)
    if form.action.data == "count":
        return _reminder_form_page(form, reminder)

    def refused():  # sent or cancelled meanwhile: its page says what became of it
        if isinstance(refused_error(), InvalidTransition):
            return redirect(url_for("organiser.message", message_id=reminder.id))
        return _reminder_form_page(form, reminder)

    on_refusal(refused, form)
    reminders.change_reminder(
        reminder,
        **_words(form),
        filters=audience_filter(form),
        when=_when(form),
        actor=current_user,
    )
    db.session.commit()
    flash(f"The reminder “{messages.title_of(reminder, g.event)}” is changed.", "success")
    return redirect(url_for("organiser.reminders"))


@blueprint.route("/reminders/<int:message_id>/cancel", methods=["POST"])
@requires(Permission.MANAGE)
def cancel_reminder(message_id: int):
    reminder = _message_or_404(message_id)
    if not reminder.is_reminder:
        abort(404)
    if not ReminderCancelForm().validate_on_submit():
        abort(400)
    on_refusal(lambda: redirect(url_for("organiser.reminders")))
    reminders.cancel_reminder(reminder, actor=current_user)
    db.session.commit()
    flash(
        f"The reminder “{messages.title_of(reminder, g.event)}” is cancelled; nobody gets it.",
        "success",
    )
    return redirect(url_for("organiser.reminders"))
