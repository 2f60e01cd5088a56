//! Rule pack loading and checking: the shipped packs, broken user packs, replacement by id,
//! edition choice and element groups.

use std::path::Path;

use chrono::NaiveDate;
use exportscan::identity::Individuals;
use exportscan::rules::{
    CountingWindow, Outcome, PackOrigin, Profile, RuleSet, RulesError, decide, embedded_packs,
};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write test pack");
}

/// Returns the TOML of a zone pack with one retail scenario and the given bands.
fn zone_pack(id: &str, zone: &str, effective_from: &str, bands: &str) -> String {
    format!(
        r#"
id = "{id}"
title = "Test zone list"
edition = "2025"
effective_from = {effective_from}
zone = "{zone}"
registration_required = true
cii_excluded = true
counting_window = "calendar-year"
verified = false

[source]
title = "Synthetic test list"
url = "https://example.org/list"

[[industries]]
id = "retail"
title = "Retail"

[[scenarios]]
id = "retail-membership"
title = "Membership"
industry = "retail"
elements = ["person_name", "mobile_phone"]
verified = false
{bands}
"#
    )
}

const RETAIL_BANDS: &str = r#"
[[scenarios.bands]]
id = "membership-assessment"
metric = "total"
comparison = ">="
value = 8000000
outcome = "assessment"
verified = false
basis = "test"

[[scenarios.bands]]
id = "membership-filing"
metric = "total"
comparison = ">="
value = 1
outcome = "filing"
verified = false
basis = "test"
"#;

#[test]
fn embedded_packs_load() {
    let rules = RuleSet::load(None).expect("embedded packs load");
    let ids: Vec<&str> = rules.packs().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["beijing-ftz-2024", "cn-national-2024"]);

    let national = rules.pack("cn-national-2024").expect("national pack");
    assert!(national.verified);
    assert_eq!(national.zone, None);
    assert_eq!(national.effective_from, date("2024-03-22"));
    assert_eq!(national.counting_window, CountingWindow::CalendarYear);
    assert!(national.bands.iter().all(|b| b.verified));
    assert!(national.source.url.starts_with("https://"));

    let ftz = rules.pack("beijing-ftz-2024").expect("FTZ pack");
    assert_eq!(ftz.zone.as_deref(), Some("beijing-ftz"));
    assert!(ftz.registration_required);
    assert!(ftz.cii_excluded);
    assert!(!ftz.verified);
    assert_eq!(ftz.effective_from, date("2024-08-30"));
    assert_eq!(ftz.superseded_by.as_deref(), Some("beijing-2025"));
    let scenarios: Vec<&str> = ftz.scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        scenarios,
        [
            "retail-membership",
            "medical-health",
            "civil-aviation-passenger",
            "ai-voice-image",
            "automotive"
        ]
    );
}

#[test]
fn ftz_figures_unverified_except_clinical_trials() {
    let rules = RuleSet::load(None).expect("embedded packs load");
    let ftz = rules.pack("beijing-ftz-2024").expect("FTZ pack");
    for scenario in &ftz.scenarios {
        for band in &scenario.bands {
            let expected = band.id == "medical-assessment";
            assert_eq!(band.verified, expected, "{}/{}", scenario.id, band.id);
        }
        assert!(!scenario.verified, "{} element list", scenario.id);
    }
    assert!(ftz.triggers.iter().all(|t| !t.verified));
}

#[test]
fn ftz_triggers_match_measures() {
    let rules = RuleSet::load(None).expect("embedded packs load");
    let ftz = rules.pack("beijing-ftz-2024").expect("FTZ pack");
    let triggers: Vec<(&str, u64, bool)> = ftz
        .triggers
        .iter()
        .map(|t| (t.metric.name(), t.value, t.cii_only))
        .collect();
    assert_eq!(
        triggers,
        [
            ("total", 10_000_000, false),
            ("sensitive", 1_000_000, false),
            ("bank_insurance_health", 100_000, false),
            ("total", 100_000, true),
        ]
    );
    let automotive = ftz.scenario("automotive").expect("automotive scenario");
    assert!(automotive.follows_national);
    assert!(
        automotive
            .important_elements
            .iter()
            .any(|e| e == "sensitive_region_geodata")
    );
}

#[test]
fn element_groups_follow_profile() {
    let rules = RuleSet::load(None).expect("embedded packs load");
    let national = Profile::national(date("2026-03-31"));
    assert!(rules.element_groups(&national).is_empty());

    let zone = Profile {
        zone: Some("beijing-ftz".to_string()),
        ..national
    };
    let groups = rules.element_groups(&zone);
    let names: Vec<&str> = groups.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["bank_insurance_health", "medical_health", "voice_image"]
    );
    let bank = &groups[0].1;
    assert!(bank.iter().any(|e| e == "bank_card"));
    assert!(bank.iter().any(|e| e == "medical_record_no"));
}

#[test]
fn element_ids_collects_every_reference() {
    let rules = RuleSet::load(None).expect("embedded packs load");
    let ids = rules.element_ids();
    for id in [
        "bank_card",
        "clinical_trial_data",
        "exterior_video",
        "person_name",
    ] {
        assert!(ids.contains(id), "{id}");
    }
}

#[test]
fn broken_band_names_file_scenario_and_band() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bands = RETAIL_BANDS.replacen(r#"comparison = ">=""#, r#"comparison = "=>""#, 1);
    write(
        dir.path(),
        "broken.toml",
        &zone_pack("test-zone", "test-ftz", "2025-01-01", &bands),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("broken pack");
    let message = err.to_string();
    assert!(message.contains("broken.toml"), "{message}");
    assert!(message.contains("scenario retail-membership"), "{message}");
    assert!(message.contains("band membership-assessment"), "{message}");
    assert!(
        message.contains("comparison \"=>\" is invalid"),
        "{message}"
    );
}

#[test]
fn pack_problems_are_all_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bands = RETAIL_BANDS
        .replacen(r#"metric = "total""#, r#"metric = "vip_customers""#, 1)
        .replacen(r#"outcome = "filing""#, r#"outcome = "contract""#, 1);
    write(
        dir.path(),
        "two.toml",
        &zone_pack("test-zone", "test-ftz", "2025-01-01", &bands),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("broken pack");
    let RulesError::InvalidPack { problems, .. } = &err else {
        panic!("unexpected error: {err}");
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("metric \"vip_customers\" is invalid"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("outcome \"contract\" is invalid"),
        "{problems:?}"
    );
}

#[test]
fn unknown_key_is_syntax_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = zone_pack("test-zone", "test-ftz", "2025-01-01", RETAIL_BANDS).replace(
        "verified = false\n\n[source]",
        "verified = false\nthreshold = 5\n\n[source]",
    );
    write(dir.path(), "typo.toml", &text);
    let err = RuleSet::load(Some(dir.path())).expect_err("unknown key");
    let message = err.to_string();
    assert!(matches!(err, RulesError::PackSyntax { .. }), "{message}");
    assert!(message.contains("typo.toml"), "{message}");
    assert!(message.contains("threshold"), "{message}");
}

#[test]
fn shadowed_band_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bands = RETAIL_BANDS.replace("value = 1\n", "value = 9000000\n");
    write(
        dir.path(),
        "dead.toml",
        &zone_pack("test-zone", "test-ftz", "2025-01-01", &bands),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("dead band");
    let message = err.to_string();
    assert!(
        message.contains("band membership-filing: can never decide"),
        "{message}"
    );
}

#[test]
fn scenario_without_bands_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "empty.toml",
        &zone_pack("test-zone", "test-ftz", "2025-01-01", ""),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("no bands");
    assert!(err.to_string().contains("follows_national = true"), "{err}");
}

#[test]
fn zone_pack_cannot_change_national_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = zone_pack("test-zone", "test-ftz", "2025-01-01", RETAIL_BANDS)
        + "\n[cii_operator]\nid = \"cii\"\noutcome = \"filing\"\nbasis = \"test\"\n";
    write(dir.path(), "cii.toml", &text);
    let err = RuleSet::load(Some(dir.path())).expect_err("zone CII rule");
    assert!(
        err.to_string().contains("belong to the national pack"),
        "{err}"
    );
}

#[test]
fn user_pack_replaces_embedded_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let national = embedded_packs()
        .expect("embedded packs")
        .into_iter()
        .find(|p| p.id == "cn-national-2024")
        .expect("national pack")
        .text
        .replace("value = 100000\n", "value = 50000\n");
    write(dir.path(), "national.toml", &national);
    let rules = RuleSet::load(Some(dir.path())).expect("replacement loads");
    let pack = rules.pack("cn-national-2024").expect("national pack");
    assert!(matches!(
        pack.origin,
        PackOrigin::File {
            replaces_embedded: true,
            ..
        }
    ));

    let totals = Individuals {
        total: 60_000,
        ..Individuals::default()
    };
    let decision = decide(&totals, &Profile::national(date("2026-03-31")), &rules).expect("decide");
    assert_eq!(
        decision.outcome,
        Outcome::Filing,
        "the replaced threshold applies"
    );
}

#[test]
fn user_pack_adds_zone() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "test.toml",
        &zone_pack("test-zone-2025", "test-ftz", "2025-01-01", RETAIL_BANDS),
    );
    let rules = RuleSet::load(Some(dir.path())).expect("user pack loads");
    assert_eq!(rules.zones(), ["none", "beijing-ftz", "test-ftz"]);
    let profile = Profile {
        zone: Some("test-ftz".to_string()),
        scenario: Some("retail-membership".to_string()),
        ..Profile::national(date("2026-03-31"))
    };
    let totals = Individuals {
        total: 7_000_000,
        ..Individuals::default()
    };
    let decision = decide(&totals, &profile, &rules).expect("decide");
    assert_eq!(decision.outcome, Outcome::Filing);
    assert_eq!(decision.rule, "test-zone-2025/membership-filing");
}

#[test]
fn overlapping_editions_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "a.toml",
        &zone_pack("test-zone-2024", "test-ftz", "2024-01-01", RETAIL_BANDS),
    );
    write(
        dir.path(),
        "b.toml",
        &zone_pack("test-zone-2025", "test-ftz", "2025-01-01", RETAIL_BANDS),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("overlap");
    let message = err.to_string();
    assert!(matches!(err, RulesError::Conflict(_)), "{message}");
    assert!(message.contains("test-zone-2024"), "{message}");
    assert!(message.contains("superseded_by"), "{message}");
}

#[test]
fn successor_edition_is_chosen_by_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A city-wide successor of the FTZ list, in another zone, as the 2025 Beijing edition is.
    write(
        dir.path(),
        "beijing-2025.toml",
        &zone_pack("beijing-2025", "beijing", "2026-05-11", RETAIL_BANDS),
    );
    let rules = RuleSet::load(Some(dir.path())).expect("successor loads");
    let totals = Individuals {
        total: 6_000_000,
        ..Individuals::default()
    };
    let profile = |day: &str| Profile {
        zone: Some("beijing-ftz".to_string()),
        scenario: Some("retail-membership".to_string()),
        ..Profile::national(date(day))
    };
    let after = decide(&totals, &profile("2026-06-30"), &rules).expect("decide after");
    assert_eq!(after.packs, ["cn-national-2024", "beijing-2025"]);
    assert_eq!(
        after.outcome,
        Outcome::Filing,
        "8,000,000 line of the successor"
    );

    let before = decide(&totals, &profile("2026-05-10"), &rules).expect("decide before");
    assert_eq!(before.packs, ["cn-national-2024", "beijing-ftz-2024"]);
    assert_eq!(
        before.outcome,
        Outcome::Assessment,
        "5,000,000 line of the 2024 list"
    );
}

#[test]
fn earlier_national_edition_counts_previous_year() {
    let dir = tempfile::tempdir().expect("temp dir");
    let earlier = embedded_packs()
        .expect("embedded packs")
        .into_iter()
        .find(|p| p.id == "cn-national-2024")
        .expect("national pack")
        .text
        .replace("id = \"cn-national-2024\"", "id = \"cn-national-2022\"")
        .replace("effective_from = 2024-03-22", "effective_from = 2022-09-01\nsuperseded_by = \"cn-national-2024\"\nsuperseded_on = 2024-03-22")
        .replace("counting_window = \"calendar-year\"", "counting_window = \"since-previous-year\"");
    write(dir.path(), "earlier.toml", &earlier);
    let rules = RuleSet::load(Some(dir.path())).expect("earlier edition loads");
    let totals = Individuals {
        total: 10,
        ..Individuals::default()
    };
    let decision = decide(&totals, &Profile::national(date("2023-06-01")), &rules).expect("decide");
    assert_eq!(decision.packs, ["cn-national-2022"]);
    assert_eq!(decision.counting_window.from, date("2022-01-01"));
    assert!(
        decision.notes[0].contains("previous year"),
        "{}",
        decision.notes[0]
    );

    let later = decide(&totals, &Profile::national(date("2024-03-22")), &rules).expect("decide");
    assert_eq!(later.packs, ["cn-national-2024"]);
}

#[test]
fn duplicate_ids_in_one_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "a.toml",
        &zone_pack("test-zone", "test-ftz", "2025-01-01", RETAIL_BANDS),
    );
    write(
        dir.path(),
        "b.toml",
        &zone_pack("test-zone", "other-ftz", "2025-01-01", RETAIL_BANDS),
    );
    let err = RuleSet::load(Some(dir.path())).expect_err("duplicate id");
    assert!(
        err.to_string()
            .contains("two packs have the id \"test-zone\""),
        "{err}"
    );
}

#[test]
fn empty_rules_directory_is_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = RuleSet::load(Some(dir.path())).expect_err("empty directory");
    assert!(err.to_string().contains("no *.toml rule packs"), "{err}");
}
