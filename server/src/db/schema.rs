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
        suspended_at -> Nullable<Timestamp>,
        organization_verified_at -> Nullable<Timestamp>,
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
        unsubscribe_url -> Nullable<Text>,
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

diesel::table! {
    consultations (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        description -> Text,
        language -> Text,
        status -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        current_version_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        participation -> Text,
        participant_groups -> Text,
        timezone -> Text,
    }
}

diesel::table! {
    consultation_phases (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        phase -> Text,
        note -> Text,
        set_by -> Nullable<BigInt>,
        set_at -> Timestamp,
        stakeholders_comment -> Bool,
    }
}

diesel::table! {
    consultation_cofacilitators (consultation_id, user_id) {
        consultation_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    document_versions (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        label -> Text,
        position -> Integer,
        source_format -> Text,
        footnotes -> Text,
        removed_keys -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    version_translations (version_id, language) {
        version_id -> BigInt,
        language -> Text,
        source_format -> Text,
        footnotes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    paragraph_translations (version_id, language, paragraph_key) {
        version_id -> BigInt,
        language -> Text,
        paragraph_key -> Text,
        section_path -> Text,
        text -> Text,
        footnote_refs -> Text,
    }
}

diesel::table! {
    paragraphs (id) {
        id -> BigInt,
        version_id -> BigInt,
        key -> Text,
        number -> Text,
        parent_key -> Nullable<Text>,
        section -> Text,
        section_path -> Text,
        position -> Integer,
        text -> Text,
        footnote_refs -> Text,
        informed_by -> Text,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        consultation_id -> Nullable<BigInt>,
        session_id -> Nullable<BigInt>,
        paragraph_key -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        author_id -> BigInt,
        kind -> Text,
        body -> Text,
        proposed_text -> Nullable<Text>,
        on_behalf_of -> Nullable<Text>,
        anonymous -> Bool,
        language -> Text,
        status -> Text,
        version_label -> Nullable<Text>,
        endorsement_count -> Integer,
        upvote_count -> Integer,
        flag_count -> Integer,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        delegation_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    comment_revisions (id) {
        id -> BigInt,
        comment_id -> BigInt,
        body -> Text,
        proposed_text -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    endorsements (comment_id, user_id) {
        comment_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        delegation_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    upvotes (comment_id, user_id) {
        comment_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    flags (id) {
        id -> BigInt,
        comment_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    moderation_log (id) {
        id -> BigInt,
        consultation_id -> Nullable<BigInt>,
        session_id -> Nullable<BigInt>,
        comment_id -> BigInt,
        moderator_id -> Nullable<BigInt>,
        action -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    channel_seqs (channel) {
        channel -> Text,
        last_seq -> BigInt,
    }
}

diesel::table! {
    live_events (id) {
        id -> BigInt,
        channel -> Text,
        seq -> BigInt,
        kind -> Text,
        audience -> Text,
        subject_id -> Nullable<BigInt>,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    search_jobs (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        action -> Text,
        created_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    delegations (id) {
        id -> BigInt,
        name -> Text,
        status -> Text,
        country -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    delegates (delegation_id, user_id) {
        delegation_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    negotiating_groups (id) {
        id -> BigInt,
        name -> Text,
        chair_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, delegation_id) {
        group_id -> BigInt,
        delegation_id -> BigInt,
    }
}

diesel::table! {
    amendment_dispositions (comment_id) {
        comment_id -> BigInt,
        disposition -> Text,
        merged_into -> Nullable<BigInt>,
        reason -> Text,
        set_by -> Nullable<BigInt>,
        set_at -> Timestamp,
    }
}

diesel::table! {
    paragraph_statuses (consultation_id, paragraph_key) {
        consultation_id -> BigInt,
        paragraph_key -> Text,
        status -> Text,
        set_by -> Nullable<BigInt>,
        set_at -> Timestamp,
    }
}

diesel::table! {
    silences (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        version_id -> BigInt,
        deadline -> Timestamp,
        timezone -> Text,
        started_by -> Nullable<BigInt>,
        started_at -> Timestamp,
        outcome -> Nullable<Text>,
        settled_at -> Nullable<Timestamp>,
        reminded_at -> Nullable<Timestamp>,
        symbol -> Nullable<Text>,
        adopted_on -> Nullable<Text>,
        adopted_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    silence_breaks (id) {
        id -> BigInt,
        silence_id -> BigInt,
        delegation_id -> BigInt,
        paragraph_keys -> Text,
        letter -> Text,
        broken_by -> Nullable<BigInt>,
        broken_at -> Timestamp,
    }
}

diesel::joinable!(silence_breaks -> delegations (delegation_id));
diesel::joinable!(delegates -> delegations (delegation_id));
diesel::joinable!(group_members -> delegations (delegation_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(paragraphs -> document_versions (version_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    consultations,
    consultation_cofacilitators,
    document_versions,
    paragraphs,
    comments,
    comment_revisions,
    endorsements,
    flags,
    moderation_log,
    delegations,
    delegates,
    negotiating_groups,
    group_members,
    amendment_dispositions,
    paragraph_statuses,
    silences,
    silence_breaks,
);

diesel::table! {
    events (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        theme -> Text,
        venue -> Text,
        timezone -> Text,
        starts_on -> Text,
        ends_on -> Text,
        subthemes -> Text,
        call_opens_at -> Nullable<Timestamp>,
        call_closes_at -> Nullable<Timestamp>,
        published -> Bool,
        rules -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rooms (id) {
        id -> BigInt,
        event_id -> BigInt,
        name -> Text,
        capacity -> Integer,
        remote_link -> Nullable<Text>,
        created_at -> Timestamp,
        interpretation -> Bool,
    }
}

diesel::table! {
    proposals (id) {
        id -> BigInt,
        event_id -> BigInt,
        proposer_id -> BigInt,
        title -> Text,
        session_type -> Text,
        subtheme -> Text,
        format -> Text,
        description -> Text,
        policy_questions -> Text,
        speakers -> Text,
        moderator_name -> Text,
        rapporteur_name -> Text,
        status -> Text,
        decision_note -> Nullable<Text>,
        session_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        merged_into -> Nullable<BigInt>,
    }
}

diesel::table! {
    proposal_reviews (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        reviewer_id -> BigInt,
        score -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        event_id -> BigInt,
        proposal_id -> Nullable<BigInt>,
        title -> Text,
        session_type -> Text,
        subtheme -> Text,
        format -> Text,
        description -> Text,
        speakers -> Text,
        moderator_name -> Text,
        rapporteur_name -> Text,
        room_id -> Nullable<BigInt>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        ical_sequence -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        track -> Text,
        expected_audience -> Nullable<Integer>,
        needs_interpretation -> Bool,
        pinned -> Bool,
    }
}

diesel::table! {
    speaker_unavailability (id) {
        id -> BigInt,
        event_id -> BigInt,
        person -> Text,
        speaker -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    session_people (session_id, person) {
        session_id -> BigInt,
        person -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    session_reports (session_id) {
        session_id -> BigInt,
        key_takeaways -> Text,
        calls_to_action -> Text,
        participants_onsite -> Integer,
        participants_online -> Integer,
        women_share -> Nullable<Double>,
        filed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_segments (id) {
        id -> BigInt,
        session_id -> BigInt,
        position -> Integer,
        kind -> Text,
        title -> Text,
        minutes -> Integer,
    }
}

diesel::table! {
    speaking_queue (id) {
        id -> BigInt,
        session_id -> BigInt,
        user_id -> BigInt,
        mode -> Text,
        joined_at -> Timestamp,
        called_at -> Nullable<Timestamp>,
        left_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    session_bookmarks (user_id, session_id) {
        user_id -> BigInt,
        session_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(rooms -> events (event_id));
diesel::joinable!(session_bookmarks -> sessions (session_id));
diesel::joinable!(session_reports -> sessions (session_id));
diesel::joinable!(sessions -> events (event_id));
diesel::joinable!(speaking_queue -> users (user_id));
diesel::table! {
    speaker_confirmations (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        email -> Text,
        token_hash -> Text,
        answer -> Text,
        asked_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    session_roles (session_id, user_id, role) {
        session_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    evaluation_settings (event_id) {
        event_id -> BigInt,
        per_proposal -> Integer,
        blind -> Bool,
    }
}

diesel::table! {
    panel_members (event_id, user_id) {
        event_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    rubric_criteria (id) {
        id -> BigInt,
        event_id -> BigInt,
        position -> Integer,
        name -> Text,
        weight -> Integer,
        key -> Text,
    }
}

diesel::table! {
    schedule_proposals (id) {
        id -> BigInt,
        event_id -> BigInt,
        fingerprint -> Text,
        reschedule -> Bool,
        body -> Text,
        created_at -> Timestamp,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    evaluation_assignments (proposal_id, evaluator_id) {
        proposal_id -> BigInt,
        evaluator_id -> BigInt,
        assigned_at -> Timestamp,
        recused_at -> Nullable<Timestamp>,
        recusal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    evaluations (proposal_id, evaluator_id) {
        proposal_id -> BigInt,
        evaluator_id -> BigInt,
        scores -> Text,
        weighted -> Double,
        comment -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(panel_members -> users (user_id));
diesel::joinable!(session_roles -> users (user_id));
diesel::joinable!(proposal_reviews -> proposals (proposal_id));
diesel::joinable!(speaker_confirmations -> proposals (proposal_id));
diesel::joinable!(session_people -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    events,
    rooms,
    proposals,
    proposal_reviews,
    speaker_confirmations,
    speaker_unavailability,
    session_roles,
    evaluation_settings,
    panel_members,
    rubric_criteria,
    evaluation_assignments,
    evaluations,
    sessions,
    session_people,
    session_bookmarks,
    session_reports,
    session_segments,
    speaking_queue,
    users
);

diesel::table! {
    review_log (id) {
        id -> BigInt,
        comment_id -> BigInt,
        user_id -> Nullable<BigInt>,
        before -> Text,
        after -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comment_reviews (comment_id) {
        comment_id -> BigInt,
        status -> Text,
        tags -> Text,
        assignee_id -> Nullable<BigInt>,
        note -> Text,
        reviewed_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    follows (id) {
        id -> BigInt,
        user_id -> BigInt,
        target_type -> Text,
        target_id -> BigInt,
        target_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        dedupe_key -> Text,
        data -> Text,
        frequency -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        emailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_settings (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        frequency -> Text,
    }
}

diesel::table! {
    notification_prefs (user_id) {
        user_id -> BigInt,
        timezone -> Nullable<Text>,
        daily_sent_at -> Nullable<Timestamp>,
        weekly_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        subject_type -> Text,
        subject_id -> BigInt,
        surface -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(audit_log, users);

diesel::table! {
    bodies (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        region -> Nullable<Text>,
        country -> Nullable<Text>,
        description -> Text,
        contact_email -> Nullable<Text>,
        website -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    body_members (body_id, user_id) {
        body_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    body_sessions (body_id, session_id) {
        body_id -> BigInt,
        session_id -> BigInt,
    }
}

diesel::table! {
    body_outputs (body_id, consultation_id) {
        body_id -> BigInt,
        consultation_id -> BigInt,
    }
}

diesel::joinable!(body_members -> users (user_id));
diesel::joinable!(body_members -> bodies (body_id));
diesel::joinable!(body_sessions -> sessions (session_id));
diesel::joinable!(body_outputs -> consultations (consultation_id));
diesel::allow_tables_to_appear_in_same_query!(bodies, body_members, users);
diesel::allow_tables_to_appear_in_same_query!(body_sessions, sessions);
diesel::allow_tables_to_appear_in_same_query!(body_sessions, events);
diesel::allow_tables_to_appear_in_same_query!(body_outputs, consultations);

diesel::table! {
    igf_message_sets (event_id) {
        event_id -> BigInt,
        stage -> Text,
        consultation_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    igf_messages (id) {
        id -> BigInt,
        event_id -> BigInt,
        subtheme -> Text,
        position -> Integer,
        text -> Text,
        sources -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(igf_message_sets, consultations);
// Posting a contribution reads the consultation's current phase in the statement that
// reads the consultation (consultations/comments/posting.rs).
diesel::allow_tables_to_appear_in_same_query!(consultation_phases, consultations);
diesel::allow_tables_to_appear_in_same_query!(consultation_phases, consultation_cofacilitators);
diesel::allow_tables_to_appear_in_same_query!(consultation_phases, document_versions);
diesel::allow_tables_to_appear_in_same_query!(consultation_phases, users);
