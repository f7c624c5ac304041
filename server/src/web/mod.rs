//! The web pages: server-rendered HTML in the six UN languages, for everyone who will
//! never call the API. The pages are an in-process client of the API handlers (see
//! `api`), so the rules live in one place; templates are under `web/templates`, the
//! messages under `web/locales`, the stylesheet and the one script under `web/static`.

pub mod assets;
pub mod countries;
pub mod forms;
pub mod i18n;
pub mod pages;
pub mod paging;
pub mod session;
pub mod time;

use actix_web::web;

use pages::{
    account, admin, bodies, consultation, evaluate, events, follow, home, messages, moderation,
    notifications, organize, proposal, propose, review, room, secretariat, speaker, unsubscribe,
    versions,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure)
        .route("/", web::get().to(home::home))
        .route("/login", web::get().to(account::login_form))
        .route("/login", web::post().to(account::login))
        .route("/logout", web::post().to(account::logout))
        .route("/register", web::get().to(account::register_form))
        .route("/register", web::post().to(account::register))
        .route("/verify", web::get().to(account::verify_form))
        .route("/verify", web::post().to(account::verify))
        .route("/reset-password", web::get().to(account::reset_form))
        .route("/reset-password", web::post().to(account::reset))
        .route("/session", web::get().to(account::refresh_session))
        .route("/me", web::get().to(account::me))
        .route("/me/export", web::get().to(account::export))
        .route("/me/proposals", web::get().to(propose::mine))
        .route("/proposals/{id}/edit", web::get().to(propose::edit_form))
        .route("/proposals/{id}/edit", web::post().to(propose::edit))
        .route("/me/notifications", web::get().to(notifications::page))
        .route("/me/notifications", web::post().to(notifications::act))
        .route("/me/delete", web::post().to(account::delete))
        .route("/me/password", web::post().to(account::change_password))
        .route("/consultations/{slug}", web::get().to(consultation::page))
        .route(
            "/consultations/{slug}/comments",
            web::post().to(consultation::post_comment),
        )
        .route(
            "/consultations/{slug}/silence/breaks",
            web::post().to(consultation::break_silence),
        )
        .route(
            "/consultations/{slug}/versions",
            web::get().to(versions::list),
        )
        .route(
            "/consultations/{slug}/revise",
            web::get().to(versions::revise_form),
        )
        .route(
            "/consultations/{slug}/revise",
            web::post().to(versions::revise),
        )
        .route(r"/comments/{id:\d+}", web::get().to(versions::comment))
        .route(
            r"/comments/{id:\d+}/card",
            web::get().to(consultation::card),
        )
        .route(
            r"/comments/{id:\d+}/flag",
            web::post().to(consultation::flag),
        )
        .route("/consultations/{slug}/review", web::get().to(review::page))
        .route("/consultations/{slug}/review", web::post().to(review::save))
        .route(
            "/consultations/{slug}/review/export",
            web::get().to(review::export),
        )
        .route(
            "/consultations/{slug}/review/compilation.docx",
            web::get().to(review::compilation),
        )
        .route(
            r"/comments/{id:\d+}/endorse",
            web::post().to(consultation::endorse),
        )
        .route("/follow", web::post().to(follow::follow))
        .route("/bodies", web::get().to(bodies::directory))
        .route("/bodies", web::post().to(bodies::create))
        .route(r"/bodies/{id:\d+}", web::get().to(bodies::page))
        .route(r"/bodies/{id:\d+}", web::post().to(bodies::act))
        .route("/evaluate", web::get().to(evaluate::page))
        .route("/evaluate", web::post().to(evaluate::act))
        .route("/speaker-confirmation", web::get().to(speaker::page))
        .route("/speaker-confirmation", web::post().to(speaker::answer))
        .route(
            r"/organize/proposals/{id:\d+}",
            web::get().to(proposal::page),
        )
        .route(
            r"/organize/proposals/{id:\d+}",
            web::post().to(proposal::act),
        )
        .route("/unsubscribe", web::get().to(unsubscribe::page))
        .route("/unsubscribe", web::post().to(unsubscribe::confirm))
        .route("/events/{slug}/agenda", web::get().to(events::agenda))
        .route("/events/{slug}/messages", web::get().to(messages::page))
        .route("/events/{slug}/messages", web::post().to(messages::act))
        .route("/events/{slug}/propose", web::get().to(propose::form))
        .route("/events/{slug}/propose", web::post().to(propose::submit))
        .route("/moderation", web::get().to(moderation::queue))
        .route("/moderation", web::post().to(moderation::act))
        .route(
            "/consultations/{slug}/moderation-log",
            web::get().to(moderation::log),
        )
        .route("/admin/users", web::get().to(admin::users))
        .route("/admin/users", web::post().to(admin::act))
        .route("/organize", web::get().to(organize::list))
        .route("/organize/events", web::post().to(organize::create))
        .service(
            web::resource("/organize/consultations")
                .app_data(web::PayloadConfig::new(secretariat::FORM_LIMIT))
                .route(web::get().to(secretariat::list))
                .route(web::post().to(secretariat::create)),
        )
        .service(
            web::resource("/organize/consultations/{slug}")
                .app_data(web::PayloadConfig::new(secretariat::FORM_LIMIT))
                .route(web::get().to(secretariat::manage))
                .route(web::post().to(secretariat::act)),
        )
        .route("/organize/events/{slug}", web::get().to(organize::event))
        .route("/organize/events/{slug}", web::post().to(organize::act))
        .route(r"/sessions/{id:\d+}", web::get().to(events::session))
        .route(
            r"/sessions/{id:\d+}/comments",
            web::post().to(events::post_session_comment),
        )
        .route(r"/sessions/{id:\d+}/room", web::post().to(room::act));
}
