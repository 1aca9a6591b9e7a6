"""Column contract of every raw table the generator writes.

Mirrors the dbt source files ``models/staging/<system>/_<system>__sources.yml``: table name, column
names, column order and declared type. The test suite checks this mapping against the YAML files, so
a drifting contract fails loudly instead of silently producing files dbt cannot read.
"""

from __future__ import annotations

import pyarrow as pa

_ARROW_TYPES: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "integer": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

TABLE_COLUMNS: dict[str, str] = {
    "club.member": (
        "member_id:varchar first_name:varchar last_name:varchar email:varchar phone:varchar "
        "date_of_birth:date street:varchar postal_code:varchar city:varchar country:varchar "
        "certification_id:varchar payment_card_hash:varchar tier:varchar status:varchar "
        "joined_date:date renewal_date:date updated_at:timestamp _loaded_at:timestamp"
    ),
    "club.tier_history": (
        "tier_history_id:varchar member_id:varchar tier:varchar valid_from:date valid_to:date "
        "change_reason:varchar _loaded_at:timestamp"
    ),
    "commerce.customer": (
        "customer_id:varchar email:varchar first_name:varchar last_name:varchar phone:varchar "
        "birth_date:date address1:varchar city:varchar zip:varchar country_code:varchar "
        "accepts_marketing:boolean created_at:timestamp updated_at:timestamp _loaded_at:timestamp"
    ),
    "commerce.orders": (
        "order_id:varchar order_number:varchar customer_id:varchar email:varchar currency:varchar "
        "total_price:double financial_status:varchar created_at:timestamp updated_at:timestamp "
        "_loaded_at:timestamp"
    ),
    "commerce.order_line": (
        "order_line_id:varchar order_id:varchar sku:varchar product_name:varchar category:varchar "
        "quantity:integer price:double _loaded_at:timestamp"
    ),
    "commerce.payment": (
        "payment_id:varchar order_id:varchar card_hash:varchar card_brand:varchar amount:double "
        "status:varchar processed_at:timestamp _loaded_at:timestamp"
    ),
    "consent.consent_event": (
        "consent_event_id:varchar source_system:varchar source_record_id:varchar email:varchar "
        "channel:varchar status:varchar captured_via:varchar captured_at:timestamp "
        "_loaded_at:timestamp"
    ),
    "consent.deletion_request": (
        "request_id:varchar source_system:varchar source_record_id:varchar email:varchar "
        "status:varchar requested_at:timestamp _loaded_at:timestamp"
    ),
    "content.course": (
        "course_code:varchar course_name:varchar discipline:varchar level:integer "
        "next_course_code:varchar duration_hours:double _loaded_at:timestamp"
    ),
    "content.destination": (
        "destination_code:varchar destination_name:varchar country:varchar discipline:varchar "
        "_loaded_at:timestamp"
    ),
    "data_lake.legacy_customer": (
        "legacy_customer_id:varchar email:varchar first_name:varchar last_name:varchar "
        "phone:varchar birth_date:date postal_code:varchar city:varchar country:varchar "
        "legacy_system:varchar created_at:timestamp _loaded_at:timestamp"
    ),
    "data_lake.historical_event": (
        "event_id:varchar legacy_customer_id:varchar email:varchar event_type:varchar "
        "channel:varchar amount:double event_at:timestamp _loaded_at:timestamp"
    ),
    "lms.learner": (
        "learner_id:varchar email:varchar first_name:varchar last_name:varchar date_of_birth:date "
        "country:varchar preferred_language:varchar created_at:timestamp updated_at:timestamp "
        "_loaded_at:timestamp"
    ),
    "lms.enrollment": (
        "enrollment_id:varchar learner_id:varchar course_code:varchar status:varchar "
        "enrolled_at:timestamp _loaded_at:timestamp"
    ),
    "lms.course_completion": (
        "completion_id:varchar learner_id:varchar course_code:varchar score:double "
        "completed_at:timestamp _loaded_at:timestamp"
    ),
    "lms.certification": (
        "certification_id:varchar learner_id:varchar course_code:varchar discipline:varchar "
        "level:integer issued_at:timestamp expires_at:timestamp _loaded_at:timestamp"
    ),
    "marketing_cloud.subscriber": (
        "subscriber_key:varchar email_address:varchar first_name:varchar last_name:varchar "
        "status:varchar date_joined:timestamp date_unsubscribed:timestamp _loaded_at:timestamp"
    ),
    "marketing_cloud.send": (
        "event_id:varchar send_id:varchar subscriber_key:varchar email_address:varchar "
        "journey_name:varchar email_name:varchar event_date:timestamp _loaded_at:timestamp"
    ),
    "marketing_cloud.open": (
        "event_id:varchar send_id:varchar subscriber_key:varchar is_unique:boolean "
        "event_date:timestamp _loaded_at:timestamp"
    ),
    "marketing_cloud.click": (
        "event_id:varchar send_id:varchar subscriber_key:varchar url:varchar link_name:varchar "
        "event_date:timestamp _loaded_at:timestamp"
    ),
    "marketing_cloud.unsubscribe": (
        "event_id:varchar send_id:varchar subscriber_key:varchar reason:varchar "
        "event_date:timestamp _loaded_at:timestamp"
    ),
    "mobile_app.app_user": (
        "user_id:varchar app_login:varchar email:varchar first_name:varchar last_name:varchar "
        "created_at:timestamp last_login_at:timestamp _loaded_at:timestamp"
    ),
    "mobile_app.device": (
        "device_id:varchar platform:varchar os_version:varchar app_version:varchar "
        "first_seen_at:timestamp last_seen_at:timestamp _loaded_at:timestamp"
    ),
    "mobile_app.app_event": (
        "event_id:varchar device_id:varchar app_login:varchar event_name:varchar "
        "screen_name:varchar event_at:timestamp _loaded_at:timestamp"
    ),
    "salesforce.contact": (
        "id:varchar account_id:varchar first_name:varchar last_name:varchar email:varchar "
        "phone:varchar mobile_phone:varchar birthdate:date mailing_street:varchar "
        "mailing_city:varchar mailing_postal_code:varchar mailing_country:varchar "
        "lead_source:varchar member_number_c:varchar certification_number_c:varchar "
        "has_opted_out_of_email:boolean is_deleted:boolean created_date:timestamp "
        "last_modified_date:timestamp _loaded_at:timestamp"
    ),
    "salesforce.opportunity": (
        "id:varchar contact_id:varchar account_id:varchar name:varchar stage_name:varchar "
        "type:varchar amount:double close_date:date is_won:boolean is_closed:boolean "
        "created_date:timestamp last_modified_date:timestamp _loaded_at:timestamp"
    ),
    "salesforce.task": (
        "id:varchar who_id:varchar subject:varchar type:varchar status:varchar activity_date:date "
        "created_date:timestamp last_modified_date:timestamp _loaded_at:timestamp"
    ),
    "travel.booking": (
        "booking_reference:varchar lead_first_name:varchar lead_last_name:varchar email:varchar "
        "phone:varchar date_of_birth:date member_id:varchar payment_card_hash:varchar "
        "destination_code:varchar departure_date:date return_date:date travellers:integer "
        "total_amount:double currency:varchar status:varchar booked_at:timestamp "
        "updated_at:timestamp _loaded_at:timestamp"
    ),
    "web.event": (
        "event_id:varchar anonymous_id:varchar user_login:varchar event_type:varchar "
        "page_path:varchar referrer:varchar user_agent:varchar event_at:timestamp "
        "_loaded_at:timestamp"
    ),
}

PERSON_TABLES: dict[str, str] = {
    "salesforce.contact": "id",
    "marketing_cloud.subscriber": "subscriber_key",
    "lms.learner": "learner_id",
    "commerce.customer": "customer_id",
    "club.member": "member_id",
    "mobile_app.app_user": "user_id",
    "mobile_app.device": "device_id",
    "web.event": "anonymous_id",
    "travel.booking": "booking_reference",
    "data_lake.legacy_customer": "legacy_customer_id",
}
"""Person-bearing tables and the column holding the person record ID (web: one record per anonymous_id)."""


def columns(table: str) -> list[tuple[str, str]]:
    """Return ``[(column, declared_type), ...]`` of a table, in contract order."""
    return [tuple(item.split(":", 1)) for item in TABLE_COLUMNS[table].split()]  # type: ignore[misc]


def arrow_type(declared: str) -> pa.DataType:
    """Map a declared dbt data type to its Arrow type."""
    return _ARROW_TYPES[declared]


def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of a table, columns in contract order."""
    return pa.schema([pa.field(name, arrow_type(kind)) for name, kind in columns(table)])
