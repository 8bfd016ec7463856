"""privacy: notices in versions, consents in a table of their own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PURPOSES = "purpose IN ('participant_list', 'directory_email', 'hotel', 'photos')"


def upgrade():
    op.create_table('privacy_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('controller', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('retention', sa.Text(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('rights', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version > 0', name=op.f('ck_privacy_notice_version_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_privacy_notice_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_privacy_notice_published_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice')),
    sa.UniqueConstraint('event_id', 'version', name='uq_privacy_notice_event_id_version')
    )
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(PURPOSES, name=op.f('ck_consent_purpose_known')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_consent_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent')),
    sa.UniqueConstraint('registration_id', 'purpose', name='uq_consent_registration_id_purpose')
    )
    # The directory consents given so far move into the consent table, with their version and
    # time; those never given leave no row.
    op.execute(
        "INSERT INTO consent (registration_id, purpose, version, given_at) "
        "SELECT id, 'participant_list', consent_version, COALESCE(consent_given_at, updated_at) "
        "FROM registration WHERE consent_participant_list"
    )
    # Never recreate the registration table: on SQLite, dropping it (with foreign keys on) would
    # delete the rows that cascade from it, the consents just moved among them. SQLite 3.35 and
    # later drop a plain column in place.
    with op.batch_alter_table('registration', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_notice_read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('consent_given_at')
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_participant_list')


def downgrade():
    with op.batch_alter_table('registration', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('consent_participant_list', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), server_default='2014-11', nullable=False))
        batch_op.add_column(sa.Column('consent_given_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('privacy_notice_read_at')
        batch_op.drop_column('privacy_notice_version')
    # Only the directory consent had a column; the others are lost with their table. The two
    # columns keep their server defaults: taking them off would recreate the table (see above).
    op.execute(
        "UPDATE registration SET consent_participant_list = "
        "(SELECT withdrawn_at IS NULL FROM consent WHERE consent.registration_id = registration.id "
        "AND purpose = 'participant_list'), "
        "consent_version = (SELECT version FROM consent WHERE consent.registration_id = registration.id "
        "AND purpose = 'participant_list'), "
        "consent_given_at = (SELECT given_at FROM consent WHERE consent.registration_id = registration.id "
        "AND purpose = 'participant_list' AND withdrawn_at IS NULL) "
        "WHERE id IN (SELECT registration_id FROM consent WHERE purpose = 'participant_list')"
    )
    op.drop_table('consent')
    op.drop_table('privacy_notice')
