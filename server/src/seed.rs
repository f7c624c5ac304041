//! Demo data, written by us, loaded by `indaba seed demo` and `indaba serve --demo`.

use serde::Deserialize;

use crate::accounts::{password, store, types};
use crate::db::Db;

const DEMO: &str = include_str!("../../seeds/demo.json");

#[derive(Deserialize)]
struct Demo {
    password: String,
    users: Vec<DemoUser>,
}

#[derive(Deserialize)]
struct DemoUser {
    email: String,
    name: String,
    stakeholder_group: String,
    organization: Option<String>,
    country: Option<String>,
    gender: Option<String>,
    language: String,
    #[serde(default)]
    roles: Vec<String>,
}

/// Loads what is missing (accounts are matched by email), so running it twice is harmless.
pub fn demo(db: &Db) -> Result<String, String> {
    let demo: Demo = serde_json::from_str(DEMO).map_err(|e| format!("seeds/demo.json: {e}"))?;
    let hash = password::hash(&demo.password).map_err(|e| e.message)?;
    let mut created = 0;
    for u in &demo.users {
        let group = types::StakeholderGroup::parse(&u.stakeholder_group)
            .ok_or_else(|| format!("seeds/demo.json: {}: bad stakeholder group", u.email))?;
        let country = u
            .country
            .as_deref()
            .map(types::Country::parse)
            .transpose()
            .map_err(|e| format!("seeds/demo.json: {}: country {e}", u.email))?;
        let roles: Vec<types::Role> = u
            .roles
            .iter()
            .filter_map(|r| types::Role::parse(r))
            .collect();
        let new = store::NewUser {
            email: u.email.clone(),
            password_hash: hash.clone(),
            display_name: u.name.clone(),
            stakeholder_group: group,
            organization: u.organization.clone(),
            country: country.map(|c| c.code()),
            region: country.map(|c| c.region.as_str().to_owned()),
            gender: u.gender.clone(),
            preferred_language: u.language.clone(),
            verified: true,
        };
        let inserted = db
            .tx_blocking(|conn| {
                if store::email_exists(conn, &new.email)? {
                    return Ok(false);
                }
                let id = store::insert_user(conn, &new)?;
                store::set_roles(conn, id, &roles)?;
                Ok(true)
            })
            .map_err(|e| e.message)?;
        created += usize::from(inserted);
    }
    Ok(format!(
        "demo data: {created} account(s) created, {} already there; every demo password is {:?}",
        demo.users.len() - created,
        demo.password
    ))
}
