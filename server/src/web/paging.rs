//! Numbered pages for the long lists of the pages (the agenda, the organiser's
//! proposals): a page of the list and the links to its neighbours, every other query
//! parameter (filters, time zone, language) kept. 250 sessions on one page made pages
//! 18,000–28,000 px tall.

use super::session::Ctx;

/// Where a page stands in its list, for `pager.html`.
pub struct Pager {
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn is_needed(&self) -> bool {
        self.pages > 1
    }
}

/// The page of `items` that the request's `page` parameter asks for (the first when it
/// is missing or not a number, the last when it is past the end).
pub fn paginate<T>(c: &Ctx, items: Vec<T>, per_page: usize) -> (Vec<T>, Pager) {
    let total = items.len();
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = c
        .param("page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let link = |n: usize| c.with_param("page", &n.to_string());
    let pager = Pager {
        page,
        pages,
        total,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    let items = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    (items, pager)
}
