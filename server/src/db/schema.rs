// One schema for both backends; migrations/sqlite and migrations/postgres create the same tables.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Nullable<Text>,
        display_name -> Text,
        stakeholder_group -> Text,
        organization -> Nullable<Text>,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        gender -> Nullable<Text>,
        preferred_language -> Text,
        email_verified_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        recipient -> Text,
        kind -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_roles,
    refresh_tokens,
    email_tokens,
    mail_outbox
);
