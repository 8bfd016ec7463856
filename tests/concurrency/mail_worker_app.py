"""For the control test of the mail queue only: a worker whose claim has neither row locks nor
a second look at whether each email is still due, with a pause between reading the due emails
and claiming them that widens the race window. Two of these send emails twice; that shows the
test of two real workers would catch a claim that does not hold.

Run as `flask --app "tests.concurrency.mail_worker_app:claiming_without_locks()" send-mail`.
"""

import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from conference import create_app
from conference.extensions import db
from conference.models import OutboxEmail, utcnow
from conference.services.mail import outbox

CLAIM_PAUSE = 0.3  # seconds between reading the due emails and claiming them


def claim_without_locks(
    worker: str, limit: int, claim_timeout: timedelta, now: datetime | None = None
) -> list[OutboxEmail]:
    now = now or utcnow()
    order = (OutboxEmail.next_attempt_at, OutboxEmail.id)
    due = db.session.scalars(
        sa.select(OutboxEmail.id)
        .where(outbox.is_due(now, claim_timeout))
        .order_by(*order)
        .limit(limit)
    ).all()
    time.sleep(CLAIM_PAUSE)
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(due))
        .values(claimed_at=now, claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    return list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.id.in_(due))))


def claiming_without_locks() -> Flask:
    app = create_app()
    outbox.claim_due = claim_without_locks
    return app
