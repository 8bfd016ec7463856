"""accounts: a new email address waits for its link before it counts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_user_account_pending_email_lower_case"),
            "pending_email = lower(pending_email)",
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_user_account_pending_email_lower_case"), type_="check"
        )
        batch_op.drop_column("pending_email")
