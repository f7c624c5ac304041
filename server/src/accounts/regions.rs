//! ISO 3166-1 alpha-2 codes and the UN regional group each belongs to.
//!
//! Member states follow the General Assembly's regional groups (Türkiye votes with
//! the Western European and Others Group, Kiribati and Cyprus with Asia-Pacific,
//! the United States is an observer of WEOG and counted there). Observer states and
//! territories that are not members are placed by geography, so every inhabited code
//! has a region for the balance view; uninhabited codes (AQ, BV, HM, GS, TF, UM) are refused.

use super::types::Region;

const AFRICAN: &str =
    "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG \
    MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW EH RE YT SH";
const ASIA_PACIFIC: &str = "AF BH BD BT BN KH CN CY KP FJ IN ID IR IQ JP JO KZ KW KG LA LB MY MV MH FM MN MM NR NP \
    OM PK PW PG PH QA KR WS SA SG SB LK SY TJ TH TL TO TM TV AE UZ VU VN YE KI PS HK MO TW AS CK GU MP NC NU NF PF \
    PN TK WF CX CC IO";
const EASTERN_EUROPEAN: &str =
    "AL AM AZ BY BA BG HR CZ EE GE HU LV LT ME MD PL RO RU RS SK SI MK UA XK";
const LATIN_AMERICAN_CARIBBEAN: &str =
    "AG AR BS BB BZ BO BR CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY \
    PE KN LC VC SR TT UY VE AI AW BL BQ CW GP KY MF MQ MS PR SX TC VG VI GF FK";
const WESTERN_EUROPEAN_OTHERS: &str =
    "AD AT BE CA DK FI FR DE GR IS IE IL IT LI LU MT MC NL NZ NO PT SM ES SE CH \
    TR GB AU US VA AX FO GI GG IM JE SJ GL PM BM";

pub fn region_of(code: &str) -> Option<Region> {
    [
        (AFRICAN, Region::African),
        (ASIA_PACIFIC, Region::AsiaPacific),
        (EASTERN_EUROPEAN, Region::EasternEuropean),
        (LATIN_AMERICAN_CARIBBEAN, Region::LatinAmericanCaribbean),
        (WESTERN_EUROPEAN_OTHERS, Region::WesternEuropeanOthers),
    ]
    .into_iter()
    .find(|(codes, _)| codes.split_whitespace().any(|c| c == code))
    .map(|(_, region)| region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_193_member_states_and_no_code_twice() {
        let lists = [
            AFRICAN,
            ASIA_PACIFIC,
            EASTERN_EUROPEAN,
            LATIN_AMERICAN_CARIBBEAN,
            WESTERN_EUROPEAN_OTHERS,
        ];
        let mut seen = std::collections::HashSet::new();
        for code in lists.iter().flat_map(|l| l.split_whitespace()) {
            assert!(seen.insert(code), "{code} twice");
            assert_eq!(code.len(), 2);
        }
        // 54 + 53 + 23 + 33 + 28 UN members, the US observer in WEOG, plus non-members.
        let members_weog_us = 29;
        assert!(seen.len() >= 54 + 53 + 23 + 33 + members_weog_us);
    }
}
