//! Diesel's view of the tables, written to match `migrations/sqlite` and `migrations/postgres`
//! (which hold the same schema; a test checks they stay paired).

diesel::table! {
    token_keys (id) {
        id -> Text,
        algorithm -> Text,
        private_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    cafs (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        address -> Text,
        director_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        second_factor_required -> Bool,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        caf_id -> Text,
        siret -> Text,
        name -> Text,
        address -> Text,
        representative_name -> Text,
        representative_title -> Nullable<Text>,
        category -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        management_taken_over_at -> Nullable<Timestamp>,
        management_takeover_reason -> Nullable<Text>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        identifier -> Text,
        role -> Text,
        caf_id -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        full_name -> Text,
        function_title -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        status -> Text,
        password_hash -> Nullable<Text>,
        activation_secret_hash -> Nullable<Text>,
        activation_expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        administrator_rank -> Nullable<Text>,
        commitment_version -> Nullable<Text>,
        commitment_accepted_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
        must_change_password -> Bool,
        must_enrol_second_factor -> Bool,
        reset_secret_hash -> Nullable<Text>,
        reset_expires_at -> Nullable<Timestamp>,
        email_key -> Text,
        password_expiry_reminded_at -> Nullable<Timestamp>,
        closes_on -> Nullable<Date>,
        closure_reason -> Nullable<Text>,
        closure_decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    conventions (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        number -> Text,
        caf_signatory -> Text,
        partner_signatory -> Text,
        version -> Integer,
        partner_signed_on -> Nullable<Date>,
        caf_signed_on -> Nullable<Date>,
        rgpd_completed_on -> Nullable<Date>,
        termination_kind -> Nullable<Text>,
        termination_initiated_by -> Nullable<Text>,
        termination_received_on -> Nullable<Date>,
        termination_requested_on -> Nullable<Date>,
        termination_effective_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        management_mode -> Text,
        password_policy -> Text,
        contacts -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        second_factor_required -> Bool,
        email_domains -> Text,
        service_centre -> Text,
    }
}

diesel::table! {
    convention_missions (id) {
        id -> Text,
        convention_id -> Text,
        position -> Integer,
        label -> Text,
        withdrawn_in_version -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    amendments (id) {
        id -> Text,
        convention_id -> Text,
        number -> Integer,
        subject -> Text,
        summary -> Text,
        caf_signed_on -> Date,
        partner_signed_on -> Date,
        previous_version -> Text,
        new_version -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    profiles (id) {
        id -> Text,
        service_id -> Text,
        code -> Text,
        name -> Text,
        description -> Text,
        eligible_categories -> Text,
        restriction -> Nullable<Text>,
        position -> Integer,
        temporary -> Bool,
        subsidised_only -> Bool,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        convention_id -> Text,
        service_id -> Text,
        made_available_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    subscription_quotas (subscription_id, profile_id) {
        subscription_id -> Text,
        profile_id -> Text,
        max_users -> Integer,
        subsidised_services -> Text,
    }
}

diesel::table! {
    traces (id) {
        id -> Text,
        occurred_at -> Timestamp,
        request_id -> Nullable<Text>,
        actor_account_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        organisation_kind -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        caf_id -> Nullable<Text>,
        outcome -> Text,
        detail -> Text,
        client_id -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        file_number -> Nullable<Text>,
        seq -> Nullable<BigInt>,
        hash -> Nullable<Text>,
        chain -> Text,
    }
}

diesel::table! {
    trace_chains (chain) {
        chain -> Text,
        last_seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    trace_chain_anchors (chain) {
        chain -> Text,
        anchor_seq -> BigInt,
        anchor_hash -> Text,
    }
}

diesel::table! {
    trace_checkpoints (id) {
        id -> Text,
        taken_at -> Timestamp,
        chains -> BigInt,
        digest -> Text,
        key_id -> Text,
        signature -> Text,
    }
}

diesel::table! {
    trace_checkpoint_heads (checkpoint_id, chain) {
        checkpoint_id -> Text,
        chain -> Text,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    retention_purges (id) {
        id -> Text,
        ran_at -> Timestamp,
        traces_before -> Timestamp,
        traces_purged -> BigInt,
        first_occurred_at -> Nullable<Timestamp>,
        last_occurred_at -> Nullable<Timestamp>,
        partitions_dropped -> Text,
        habilitations_before -> Timestamp,
        habilitations_purged -> BigInt,
        habilitation_events_purged -> BigInt,
        chains_purged -> BigInt,
    }
}

diesel::table! {
    habilitation_events (trace_id) {
        trace_id -> Text,
        habilitation_id -> Text,
        occurred_at -> Timestamp,
        request_id -> Nullable<Text>,
        actor_account_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        organisation_kind -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        action -> Text,
        caf_id -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        outcome -> Text,
        detail -> Text,
        client_id -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        set_aside_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(partners -> cafs (caf_id));
diesel::joinable!(conventions -> partners (partner_id));
diesel::joinable!(convention_missions -> conventions (convention_id));
diesel::joinable!(amendments -> conventions (convention_id));
diesel::joinable!(profiles -> services (service_id));
diesel::joinable!(subscriptions -> conventions (convention_id));
diesel::joinable!(subscriptions -> services (service_id));
diesel::joinable!(subscription_quotas -> subscriptions (subscription_id));
diesel::joinable!(subscription_quotas -> profiles (profile_id));

diesel::table! {
    idempotency_keys (account_id, idem_key) {
        account_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        location -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    token_keys,
    cafs,
    partners,
    accounts,
    conventions,
    convention_missions,
    amendments,
    services,
    profiles,
    subscriptions,
    subscription_quotas,
    traces,
    trace_chains,
    trace_chain_anchors,
    trace_checkpoints,
    trace_checkpoint_heads,
    outbox,
    sessions,
    refresh_tokens,
    login_throttle,
    trusted_devices,
    account_totp,
    client_applications,
    authorization_codes,
    delegations,
    partner_groups,
    group_members,
    role_bundles,
    habilitations,
    habilitation_questions,
    habilitation_requests,
    beneficiary_files,
    profile_views,
);

diesel::table! {
    sessions (id) {
        id -> Text,
        account_id -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        source -> Nullable<Text>,
        client_id -> Nullable<Text>,
        scope -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    trusted_devices (token_hash) {
        token_hash -> Text,
        account_id -> Text,
        identifier -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    account_totp (account_id) {
        account_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_used_step -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    client_applications (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        name -> Text,
        redirect_uris -> Text,
        scopes -> Text,
        password_grant -> Bool,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        account_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        code_challenge -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        session_id -> Nullable<Text>,
        nonce -> Nullable<Text>,
    }
}

diesel::table! {
    delegations (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        account_id -> Text,
        functions -> Text,
        profile_ids -> Text,
        granted_by -> Text,
        granted_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawn_reason -> Nullable<Text>,
    }
}

diesel::table! {
    partner_groups (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, account_id) {
        group_id -> Text,
        account_id -> Text,
        added_at -> Timestamp,
        added_by -> Text,
    }
}

diesel::table! {
    role_bundles (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        name -> Text,
        description -> Text,
        profile_ids -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    habilitations (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        convention_id -> Text,
        mission_id -> Text,
        subscription_id -> Text,
        profile_id -> Text,
        holder_kind -> Text,
        holder_id -> Text,
        status -> Text,
        ends_on -> Nullable<Date>,
        granted_by -> Text,
        granted_at -> Timestamp,
        suspended_by_caf -> Bool,
        status_reason -> Nullable<Text>,
        status_changed_at -> Nullable<Timestamp>,
        devalidated_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        end_reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    habilitation_questions (id) {
        id -> Text,
        habilitation_id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        question -> Text,
        asked_by -> Text,
        asked_at -> Timestamp,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(group_members -> partner_groups (group_id));
diesel::joinable!(habilitation_questions -> habilitations (habilitation_id));

diesel::table! {
    consultation_counts (partner_id, profile_id, mission_id, month) {
        partner_id -> Text,
        profile_id -> Text,
        mission_id -> Text,
        month -> Text,
        consultations -> BigInt,
    }
}

diesel::table! {
    caf_suspensions (id) {
        id -> Text,
        habilitation_id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        reason -> Text,
        suspended_by -> Nullable<Text>,
        suspended_at -> Timestamp,
        lifted_by -> Nullable<Text>,
        lifted_at -> Nullable<Timestamp>,
        lift_reason -> Nullable<Text>,
    }
}

diesel::table! {
    review_campaigns (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        convention_id -> Text,
        year -> Integer,
        status -> Text,
        opened_at -> Timestamp,
        opened_by -> Nullable<Text>,
        due_on -> Date,
        overdue_notified_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        completed_by -> Nullable<Text>,
        report -> Nullable<Text>,
        report_digest -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    review_items (id) {
        id -> Text,
        campaign_id -> Text,
        habilitation_id -> Text,
        holder_kind -> Text,
        holder_id -> Text,
        holder_name -> Text,
        profile_id -> Text,
        profile_code -> Text,
        mission_id -> Text,
        mission_label -> Text,
        granted_at -> Timestamp,
        ends_on -> Nullable<Date>,
        status_at_opening -> Text,
        decision -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(review_items -> review_campaigns (campaign_id));
diesel::joinable!(review_items -> habilitations (habilitation_id));

// The reverse review's tables, beside the habilitations they join.
diesel::allow_tables_to_appear_in_same_query!(
    review_campaigns,
    review_items,
    caf_suspensions,
    consultation_counts,
    habilitations,
);

diesel::table! {
    habilitation_requests (id) {
        id -> Text,
        caf_id -> Text,
        partner_id -> Text,
        kind -> Text,
        status -> Text,
        form -> Text,
        subscription_id -> Nullable<Text>,
        profile_id -> Nullable<Text>,
        filed_by -> Text,
        created_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        result -> Nullable<Text>,
        updated_at -> Timestamp,
        escalation_due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    beneficiary_files (id) {
        id -> Text,
        caf_id -> Text,
        numero -> Text,
        document -> Text,
        content_hash -> Text,
        last_name -> Text,
        birth_date -> Date,
        imported_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    profile_views (profile_id) {
        profile_id -> Text,
        sections -> Text,
        months -> Integer,
        benefits -> Text,
        restriction -> Nullable<Text>,
        identity_search -> Bool,
    }
}

mod service_life;
pub use service_life::*;
