//! The compilation text as an HTML file to keep, print or send: one page, with its own
//! small style sheet, in the text's language and direction.

use askama::Template;

use super::compilation::{group_line, tr_for};
use super::types::CompilationView;
use crate::error::{ApiError, ApiResult};
use crate::web::i18n::{dir_of, Tr};

#[derive(Template)]
#[template(path = "compilation_text.html")]
struct CompilationPage<'a> {
    t: Tr,
    k: &'a CompilationView,
    dir: &'static str,
}

impl CompilationPage<'_> {
    fn line(&self, g: &super::types::AmendmentGroup) -> String {
        group_line(&self.t, g)
    }
}

pub fn render(view: &CompilationView) -> ApiResult<String> {
    CompilationPage {
        t: tr_for(&view.language),
        k: view,
        dir: dir_of(&view.language),
    }
    .render()
    .map_err(ApiError::internal)
}
