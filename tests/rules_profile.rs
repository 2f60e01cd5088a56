//! Transfer profiles: the TOML format, defaults, errors naming the key, and flag overrides.

use chrono::NaiveDate;
use exportscan::rules::{Profile, ProfileArgs, Purpose, RulesError};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

const FULL: &str = r#"
[handler]
cii = false
zone = "beijing-ftz"          # or "none"
[transfer]
date = "2026-06-30"
industry = "retail"           # optional when the scenario implies it
scenario = "retail-membership"
purpose = "contract"          # none | contract | hr | emergency
id_number_sensitive = false   # GB/T 35273-2020; false follows the 2024 TC260 guide
"#;

#[test]
fn full_profile_parses() {
    let profile =
        Profile::from_toml(FULL, "profile.toml", date("2026-01-01")).expect("valid profile");
    assert!(!profile.cii);
    assert_eq!(profile.zone.as_deref(), Some("beijing-ftz"));
    assert_eq!(profile.date, date("2026-06-30"));
    assert_eq!(profile.industry.as_deref(), Some("retail"));
    assert_eq!(profile.scenario.as_deref(), Some("retail-membership"));
    assert_eq!(profile.purpose, Purpose::Contract);
    assert!(!profile.id_number_sensitive());
}

#[test]
fn missing_keys_take_defaults() {
    let profile = Profile::from_toml("", "empty.toml", date("2026-02-01")).expect("empty profile");
    assert_eq!(profile, Profile::national(date("2026-02-01")));
    assert!(!profile.cii);
    assert_eq!(profile.zone, None);
    assert_eq!(profile.purpose, Purpose::None);
    assert!(profile.id_number_sensitive());
}

#[test]
fn zone_none_means_no_zone() {
    let profile = Profile::from_toml("[handler]\nzone = \"none\"\n", "p.toml", date("2026-02-01"))
        .expect("valid");
    assert_eq!(profile.zone, None);
}

#[test]
fn toml_dates_are_accepted() {
    let profile = Profile::from_toml(
        "[transfer]\ndate = 2026-06-30\n",
        "p.toml",
        date("2026-02-01"),
    )
    .expect("valid");
    assert_eq!(profile.date, date("2026-06-30"));
}

#[test]
fn invalid_values_name_key_and_allowed_values() {
    #[rustfmt::skip]
    let cases = [
        ("[transfer]\npurpose = \"sales\"\n", "transfer.purpose", "none, contract, hr, emergency"),
        ("[handler]\ncii = \"yes\"\n", "handler.cii", "true, false"),
        ("[transfer]\nid_number_sensitive = 1\n", "transfer.id_number_sensitive", "true, false"),
        ("[transfer]\nsecnario = \"x\"\n", "transfer.secnario", "date, industry, scenario, purpose, id_number_sensitive"),
        ("[handler]\nregion = \"x\"\n", "handler.region", "cii, zone"),
        ("[transfer]\ndate = \"30/06/2026\"\n", "transfer.date", "2026-03-31"),
        ("[transfr]\n", "transfr", "[handler] and [transfer]"),
        ("handler = 3\n", "handler", "[handler]"),
        ("[handler]\nzone = 5\n", "handler.zone", "quoted string"),
    ];
    for (text, key, allowed) in cases {
        let err = Profile::from_toml(text, "p.toml", date("2026-01-01")).expect_err(text);
        let RulesError::Profile {
            key: found,
            message,
            source_name,
        } = &err
        else {
            panic!("{text}: unexpected error {err}");
        };
        assert_eq!(source_name, "p.toml", "{text}");
        assert_eq!(found, key, "{text}");
        assert!(message.contains(allowed), "{text}: {message}");
    }
}

#[test]
fn invalid_toml_is_reported() {
    let err = Profile::from_toml("[handler\n", "p.toml", date("2026-01-01")).expect_err("bad TOML");
    assert!(err.to_string().contains("invalid TOML"), "{err}");
}

#[test]
fn flags_override_single_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("profile.toml");
    std::fs::write(&path, FULL).expect("write profile");
    let args = ProfileArgs {
        profile: Some(path),
        zone: Some("none".to_string()),
        purpose: Some(Purpose::None),
        cii: Some(true),
        id_number_sensitive: Some(true),
        ..ProfileArgs::default()
    };
    let profile = args.resolve(date("2026-01-01")).expect("resolves");
    assert_eq!(profile.zone, None);
    assert_eq!(profile.purpose, Purpose::None);
    assert!(profile.cii);
    assert!(profile.id_number_sensitive);
    assert_eq!(
        profile.scenario.as_deref(),
        Some("retail-membership"),
        "untouched keys stay"
    );
    assert_eq!(
        profile.date,
        date("2026-06-30"),
        "the file's date beats the default"
    );

    let dated = ProfileArgs {
        date: Some(date("2026-04-01")),
        ..args
    };
    assert_eq!(
        dated.resolve(date("2026-01-01")).expect("resolves").date,
        date("2026-04-01")
    );
}

#[test]
fn no_profile_uses_default_date() {
    let profile = ProfileArgs::default()
        .resolve(date("2026-12-04"))
        .expect("resolves");
    assert_eq!(profile, Profile::national(date("2026-12-04")));
}

#[test]
fn missing_profile_file_is_error() {
    let args = ProfileArgs {
        profile: Some("/nonexistent/profile.toml".into()),
        ..ProfileArgs::default()
    };
    let err = args.resolve(date("2026-01-01")).expect_err("missing file");
    assert!(
        err.to_string().contains("/nonexistent/profile.toml"),
        "{err}"
    );
}
