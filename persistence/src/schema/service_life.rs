//! The tables of the life around the contract: planned stops, providers' notices, security
//! incidents, meetings, documents and the requests to the Caf service centre.

diesel::table! {
    meetings (id) {
        id -> Text,
        convention_id -> Text,
        partner_id -> Text,
        caf_id -> Text,
        kind -> Text,
        requested_by -> Nullable<Text>,
        requested_on -> Nullable<Date>,
        due_by -> Nullable<Date>,
        planned_on -> Date,
        planned_by -> Text,
        held_on -> Nullable<Date>,
        attendees -> Text,
        cnaf_attended -> Bool,
        held_late -> Bool,
        drafter -> Nullable<Text>,
        minutes_due_by -> Nullable<Date>,
        minutes -> Nullable<Text>,
        minutes_written_at -> Nullable<Timestamp>,
        validated_by_caf_at -> Nullable<Timestamp>,
        validated_by_partner_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        convention_id -> Text,
        partner_id -> Text,
        caf_id -> Text,
        kind -> Text,
        title -> Text,
        file_name -> Text,
        media_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        deliberation_number -> Nullable<Text>,
        deliberation_adopted_on -> Nullable<Date>,
        prefecture_acknowledgement -> Nullable<Text>,
        attached_by -> Text,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    document_contents (document_id) {
        document_id -> Text,
        content -> Binary,
    }
}

diesel::table! {
    security_incidents (id) {
        id -> Text,
        partner_id -> Text,
        caf_id -> Text,
        nature -> Text,
        description -> Text,
        detected_at -> Timestamp,
        accounts_concerned -> Text,
        reported_by -> Text,
        reported_at -> Timestamp,
        measures -> Text,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        closure_summary -> Nullable<Text>,
    }
}

diesel::table! {
    provider_notices (id) {
        id -> Text,
        convention_id -> Text,
        partner_id -> Text,
        caf_id -> Text,
        providers -> Text,
        safeguards -> Nullable<Text>,
        filed_by -> Text,
        filed_at -> Timestamp,
        received_on -> Nullable<Date>,
        earliest_start_on -> Nullable<Date>,
        receipt_recorded_by -> Nullable<Text>,
        observations -> Text,
    }
}

diesel::table! {
    planned_stops (id) {
        id -> Text,
        caf_id -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        services -> Text,
        description -> Text,
        declared_by -> Text,
        declared_at -> Timestamp,
        cancelled_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        cancellation_reason -> Nullable<Text>,
    }
}

diesel::table! {
    support_requests (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        convention_id -> Text,
        summary -> Text,
        services -> Text,
        motive -> Text,
        user_concerned -> Nullable<Text>,
        callback_name -> Text,
        callback_phone -> Text,
        callback_email -> Nullable<Text>,
        status -> Text,
        assigned_to -> Nullable<Text>,
        routed_to -> Nullable<Text>,
        waiting_on -> Nullable<Text>,
        waiting_since -> Nullable<Timestamp>,
        escalation_due_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        escalation_reason -> Nullable<Text>,
        filed_by -> Text,
        filed_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    support_messages (id) {
        id -> Text,
        support_request_id -> Text,
        seq -> Integer,
        step -> Text,
        side -> Text,
        author_id -> Nullable<Text>,
        body -> Nullable<Text>,
        awaits_reply -> Bool,
        at -> Timestamp,
    }
}
