"""Sign up, verify, log in and out, reset a password, and the account's home page."""

from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from conference.accounts.forms import (
    EmailLanguageForm,
    EnableTwoFactorForm,
    EndSessionsForm,
    LoginForm,
    LogoutForm,
    RequestPasswordResetForm,
    ResetPasswordForm,
    SignUpForm,
    TwoFactorCodeForm,
)
from conference.extensions import db, limiter
from conference.models import EMAIL_LANGUAGES, TeamRole, User
from conference.refusals import on_refusal, refused_error
from conference.security import safe_next_url
from conference.services.events.finding import all_events, events_organised_by
from conference.services.people import accounts, throttling, two_factor
from conference.services.registration import workflow

blueprint = Blueprint("accounts", __name__, url_prefix="/account")
TWO_FACTOR_PENDING = "two_factor_pending"  # who gave the right password, awaiting their code
TWO_FACTOR_NEXT = "two_factor_next"
TWO_FACTOR_SETUP_KEY = "two_factor_setup_key"  # the key this session's enrolment shows


def _log_in(user: User) -> None:
    """A fresh session for a fresh log-in: nothing from before it carries over."""
    session.clear()
    login_user(user)
    flash(f"Welcome, {user.name}.", "success")


def landing_page(user: User) -> str:
    """Where a log-in without a `next` leads: the back office of an event the user organises
    (the check-in desk for its check-in staff), else their registration, else the only event,
    else the account page."""
    organised = events_organised_by(user)
    if organised:
        if user.role_in(organised[0]) == TeamRole.CHECK_IN:
            return url_for("check_in.desk", event_slug=organised[0].slug)
        return url_for("organiser.registrations", event_slug=organised[0].slug)
    own = workflow.registrations_of(user)
    if own and own[0].is_active:
        return url_for("delegate.registration", event_slug=own[0].event.slug)
    events = all_events()
    if len(events) == 1:
        return url_for("public.event", event_slug=events[0].slug)
    return url_for("accounts.home")


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_and_account() -> str:
    """Whom a log-in's wrong password counts against: this client address and this account
    together, so that the wait it brings holds no one else (the owner elsewhere least of all).
    A keyed hash, as the rate limiter logs the keys of the limits it refuses on."""
    email = accounts.normalise_email(request.form.get("email", ""))
    return throttling.counter_key("log-in", request.remote_addr or "", email)


def _failed(response) -> bool:
    """A log-in that did not get past the password: only these count against the address and
    account, so guessing slows after a few tries while the owner's own log-ins count for nothing.

    The log-in view says so on `g`, whatever the answer's status code: anything it did not
    accept counts, a form sent back as much as a wrong password.
    """
    return not g.get("password_accepted", False)


def _browser_language() -> str:
    """The email language the browser asks for most (Accept-Language), else English."""
    return request.accept_languages.best_match(EMAIL_LANGUAGES, default="en")


@blueprint.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def signup():
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        accounts.sign_up(
            form.name.data,
            form.email.data,
            form.password.data,
            next_url,
            language=_browser_language(),
        )
        db.session.commit()
        return render_template(
            "accounts/check_inbox.html", email=form.email.data, next_url=next_url
        )
    return render_template(
        "accounts/signup.html", form=form, next_url=next_url
    ), 400 if form.errors else 200


def link_problem_page():
    """An emailed link that does not work (any more), and why."""
    return render_template("accounts/link_problem.html", message=refused_error().message)


@blueprint.route("/verify/<token>")
def verify_email(token: str):
    on_refusal(link_problem_page, page_explains=True)
    verified = accounts.verify_email(token)
    db.session.commit()
    flash("Your email address is verified. You can log in now.", "success")
    return redirect(url_for("accounts.login", next=safe_next_url(verified.next_url)))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_GUESS_LIMIT"],
    methods=["POST"],
    key_func=_address_and_account,
    deduct_when=_failed,
)
def login():
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or landing_page(current_user))
    form = LoginForm()
    page = partial(render_template, "accounts/login.html", form=form, next_url=next_url)
    if form.validate_on_submit():
        on_refusal(page, form, field="password")
        user = accounts.authenticate(form.email.data, form.password.data, next_url)
        db.session.commit()  # for an address not verified yet, this keeps its new link
        if not user.is_verified:
            form.email.errors.append(accounts.VERIFY_FIRST)
            return page(), 400
        g.password_accepted = True
        if user.has_two_factor:
            session.clear()
            session[TWO_FACTOR_PENDING] = user.get_id()
            session[TWO_FACTOR_NEXT] = next_url
            return redirect(url_for("accounts.two_factor_login"))
        _log_in(user)
        return redirect(next_url or landing_page(user))
    return page(), 400 if form.errors else 200


def _pending_user_key() -> str:
    """The account whose code is being guessed, by a keyed hash of its id: not the session's
    value, which holds the account's live session token."""
    user_id = (session.get(TWO_FACTOR_PENDING) or "").partition(":")[0]
    return throttling.counter_key("code", user_id or request.remote_addr or "")


@blueprint.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(login_rate_limit, methods=["POST"], key_func=_pending_user_key)
def two_factor_login():
    user = accounts.user_for_session(session.get(TWO_FACTOR_PENDING) or "")
    if user is None:
        return redirect(url_for("accounts.login"))
    form = TwoFactorCodeForm()
    page = partial(render_template, "accounts/two_factor_login.html", form=form)
    if form.validate_on_submit():
        on_refusal(page, form, field="code")
        two_factor.verify(user, form.code.data)
        db.session.commit()
        next_url = session.get(TWO_FACTOR_NEXT)
        _log_in(user)
        return redirect(next_url or landing_page(user))
    return page(), 400 if form.errors else 200


def _key_being_set_up() -> str:
    """The key of this session's enrolment, new when the session has none: a key is kept on the
    account only once a code from it is confirmed, so one that someone else saw on the setup
    page before the owner enrolled is worth nothing."""
    if TWO_FACTOR_SETUP_KEY not in session:
        session[TWO_FACTOR_SETUP_KEY] = two_factor.new_secret()
    return session[TWO_FACTOR_SETUP_KEY]


@blueprint.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    if current_user.has_two_factor:
        return render_template(
            "accounts/two_factor_status.html",
            codes_left=two_factor.recovery_codes_left(current_user),
            end_sessions_form=EndSessionsForm(),
        )
    secret = _key_being_set_up()
    form = EnableTwoFactorForm()
    page = partial(render_template, "accounts/two_factor_setup.html", form=form, secret=secret)
    if form.validate_on_submit():
        on_refusal(page, form, field="code")
        codes = two_factor.enable(current_user, secret, form.code.data)
        db.session.commit()
        session.pop(TWO_FACTOR_SETUP_KEY)
        next_url = safe_next_url(request.args.get("next"))
        # The codes live in this response alone: its Download link is a data: address made
        # from the page, not a route that would need them kept for a later request (in the
        # session, a signed but readable cookie, or in the database beside their hashes).
        return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    return page(), 400 if form.errors else 200


@blueprint.route("/two-factor/qr.svg")
@login_required
def two_factor_qr_code():
    if current_user.has_two_factor or TWO_FACTOR_SETUP_KEY not in session:
        abort(404)
    uri = two_factor.provisioning_uri(current_user, session[TWO_FACTOR_SETUP_KEY])
    return Response(two_factor.qr_code_svg(uri), mimetype="image/svg+xml")


@blueprint.route("/sessions/end", methods=["POST"])
@login_required
def end_all_sessions():
    if EndSessionsForm().validate_on_submit():
        accounts.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out on every device. Log in again here.", "info")
    return redirect(url_for("accounts.login"))


@blueprint.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            accounts.log_out(current_user._get_current_object())
            db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    response = redirect(url_for("public.index"))
    # What a check-in desk kept in this browser to work offline goes with the session.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@blueprint.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def request_password_reset():
    form = RequestPasswordResetForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, language=_browser_language())
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data, reset=True)
    return render_template("accounts/request_reset.html", form=form), 400 if form.errors else 200


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    on_refusal(link_problem_page, page_explains=True)
    accounts.user_for_reset_token(token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@blueprint.route("/")
@login_required
def home():
    return render_template(
        "accounts/home.html",
        registrations=workflow.registrations_of(current_user),
        organised=events_organised_by(current_user),
        events=all_events(),
        end_sessions_form=EndSessionsForm(),
        language_form=EmailLanguageForm(data={"language": current_user.locale}),
    )


# The invitee's side of team invitations, and the owner's changes to their account, add their
# routes to this blueprint.
from conference.accounts import changes, privacy, team_invitations  # noqa: E402, F401
