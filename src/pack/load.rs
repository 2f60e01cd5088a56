//! Loading: parse element files, compile every element, and run each element's samples
//! against the compiled pack.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use regex::RegexBuilder;

use super::header::{self, ElementHeaders, HanziPattern, HeaderRules, TokenPattern};
use super::schema::{ElementFile, HeaderPatterns, HeaderRulesFile};
use super::value::{Normaliser, Validator, ValueRules, Vocabulary};
use super::{Element, ElementPack, PackError, ValueClass, ValueStrength};

/// The embedded default pack, in load order.
const BUILTIN: &[(&str, &str)] = &[
    (
        "patterns/elements/headers.toml",
        include_str!("../../patterns/elements/headers.toml"),
    ),
    (
        "patterns/elements/identity.toml",
        include_str!("../../patterns/elements/identity.toml"),
    ),
    (
        "patterns/elements/documents.toml",
        include_str!("../../patterns/elements/documents.toml"),
    ),
    (
        "patterns/elements/contact.toml",
        include_str!("../../patterns/elements/contact.toml"),
    ),
    (
        "patterns/elements/finance.toml",
        include_str!("../../patterns/elements/finance.toml"),
    ),
    (
        "patterns/elements/health.toml",
        include_str!("../../patterns/elements/health.toml"),
    ),
    (
        "patterns/elements/vehicle.toml",
        include_str!("../../patterns/elements/vehicle.toml"),
    ),
    (
        "patterns/elements/device.toml",
        include_str!("../../patterns/elements/device.toml"),
    ),
    (
        "patterns/elements/organisation.toml",
        include_str!("../../patterns/elements/organisation.toml"),
    ),
];

/// Size limit for a compiled value pattern, so a pathological user pattern fails to load
/// instead of using unbounded memory.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Returns the local date, the reference for "not in the future" checks.
pub(super) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub(super) fn load_builtin(today: NaiveDate) -> Result<ElementPack, PackError> {
    load_sources(BUILTIN, today)
}

pub(super) fn load_dir(dir: &Path, today: NaiveDate) -> Result<ElementPack, PackError> {
    let io_error = |path: &Path, error| PackError::Io {
        path: path.display().to_string(),
        error,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        let is_toml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        if is_toml && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(PackError::Invalid {
            file: dir.display().to_string(),
            message: "no *.toml element files found; point the pattern directory at a folder of element files"
                .to_owned(),
        });
    }
    let mut texts = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
        texts.push((path.display().to_string(), text));
    }
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    load_sources(&sources, today)
}

pub(super) fn load_sources(
    sources: &[(&str, &str)],
    today: NaiveDate,
) -> Result<ElementPack, PackError> {
    let mut rules = HeaderRulesFile::default();
    let mut written: Vec<(&str, ElementFile)> = Vec::new();
    for (file, text) in sources {
        parse_file(file, text, &mut rules, &mut written)?;
    }
    let Some((first_file, _)) = sources.first() else {
        return Err(PackError::Invalid {
            file: "element pack".to_owned(),
            message: "no element files given".to_owned(),
        });
    };
    if written.is_empty() {
        return Err(PackError::Invalid {
            file: (*first_file).to_owned(),
            message: "no [[element]] tables found in any element file".to_owned(),
        });
    }

    let mut defined: HashMap<String, String> = HashMap::new();
    let mut elements = Vec::with_capacity(written.len());
    for (file, element) in written {
        if let Some(first) = defined.get(&element.id) {
            return Err(element_error(
                file,
                &element.id,
                format!("duplicate element id; first defined in {first}"),
            ));
        }
        defined.insert(element.id.clone(), file.to_owned());
        elements.push(compile_element(file, element, today)?);
    }
    let pack = ElementPack {
        elements,
        header_rules: compile_rules(rules),
    };
    for element in &pack.elements {
        check_samples(&pack, element)?;
    }
    Ok(pack)
}

fn element_error(file: &str, element: &str, message: String) -> PackError {
    PackError::Element {
        file: file.to_owned(),
        element: element.to_owned(),
        message,
    }
}

/// Parses one file into the shared header rules and its element tables. Elements are
/// deserialised one by one so that an error names the element.
fn parse_file<'a>(
    file: &'a str,
    text: &str,
    rules: &mut HeaderRulesFile,
    written: &mut Vec<(&'a str, ElementFile)>,
) -> Result<(), PackError> {
    let invalid = |message: String| PackError::Invalid {
        file: file.to_owned(),
        message,
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| invalid(format!("invalid TOML: {e}")))?;
    for (key, value) in table {
        match key.as_str() {
            "header_rules" => {
                let more: HeaderRulesFile = value
                    .try_into()
                    .map_err(|e| invalid(format!("invalid [header_rules] table: {e}")))?;
                check_single_tokens(&more.exclude_tokens).map_err(invalid)?;
                rules.role_prefixes.extend(more.role_prefixes);
                rules.exclude_tokens.extend(more.exclude_tokens);
                rules.exclude_words.extend(more.exclude_words);
            }
            "element" => {
                let toml::Value::Array(items) = value else {
                    return Err(invalid(
                        "`element` must be an array of tables, written [[element]]".to_owned(),
                    ));
                };
                for (position, item) in items.into_iter().enumerate() {
                    let name = item
                        .get("id")
                        .and_then(toml::Value::as_str)
                        .map_or_else(|| format!("#{} (no id)", position + 1), str::to_owned);
                    let element: ElementFile = item
                        .try_into()
                        .map_err(|e: toml::de::Error| element_error(file, &name, e.to_string()))?;
                    written.push((file, element));
                }
            }
            other => {
                return Err(invalid(format!(
                    "unknown table `{other}`; expected [header_rules] or [[element]]"
                )));
            }
        }
    }
    Ok(())
}

/// Checks that every exclusion token is one token, because exclusions are compared with
/// single header tokens.
fn check_single_tokens(tokens: &[String]) -> Result<(), String> {
    match tokens.iter().find(|t| header::tokenize(t).len() != 1) {
        Some(bad) => Err(format!(
            "exclude token {bad:?} must be one word of letters, such as \"verified\""
        )),
        None => Ok(()),
    }
}

fn compile_rules(rules: HeaderRulesFile) -> HeaderRules {
    HeaderRules {
        role_prefixes: rules
            .role_prefixes
            .iter()
            .map(|r| r.trim().to_ascii_lowercase())
            .collect(),
        exclude_tokens: rules
            .exclude_tokens
            .iter()
            .flat_map(|t| header::tokenize(t))
            .collect(),
        exclude_words: normalised_words(&rules.exclude_words),
    }
}

fn normalised_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| header::normalise_hanzi(w))
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_element_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn compile_element(
    file: &str,
    written: ElementFile,
    today: NaiveDate,
) -> Result<Element, PackError> {
    let id = written.id.clone();
    let fail = |message: String| element_error(file, &id, message);
    if !is_element_id(&id) {
        return Err(fail(
            "id must start with a lowercase letter and contain only a-z, 0-9 and _".to_owned(),
        ));
    }
    if written.name_zh.trim().is_empty() || written.name_en.trim().is_empty() {
        return Err(fail("name_zh and name_en must not be empty".to_owned()));
    }
    let value = compile_value_rules(&written, today).map_err(fail)?;
    if written.linking && value.normaliser.is_none() {
        return Err(fail(
            "a linking element needs a normaliser to build its keys".to_owned(),
        ));
    }
    let header = compile_headers(&written.headers).map_err(fail)?;
    let strength = match (value.validator, &value.pattern) {
        (Some(validator), _) => validator.strength(),
        (None, Some(_)) => ValueStrength::Pattern,
        (None, None) => ValueStrength::None,
    };
    Ok(Element {
        id: written.id,
        name_zh: written.name_zh,
        name_en: written.name_en,
        category: written.category,
        linking: written.linking,
        strength,
        headers: written.headers,
        samples: written.samples,
        file: file.to_owned(),
        value,
        header,
    })
}

fn compile_value_rules(written: &ElementFile, today: NaiveDate) -> Result<ValueRules, String> {
    let validator = match &written.validator {
        Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
            format!(
                "unknown validator `{name}`; known validators: {}",
                Validator::names()
            )
        })?),
        None => None,
    };
    let normaliser = match &written.normaliser {
        Some(name) => Some(Normaliser::from_name(name).ok_or_else(|| {
            format!(
                "unknown normaliser `{name}`; known normalisers: {}",
                Normaliser::names()
            )
        })?),
        None => None,
    };
    let pattern = match &written.pattern {
        Some(source) => Some(
            RegexBuilder::new(source)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .map_err(|e| format!("invalid pattern: {e}"))?,
        ),
        None => None,
    };
    let uses_vocabulary = validator == Some(Validator::Vocabulary);
    let has_vocabulary = !written.vocabulary.is_empty() || !written.code_vocabulary.is_empty();
    if uses_vocabulary && written.vocabulary.is_empty() {
        return Err("validator `vocabulary` needs a non-empty `vocabulary` list".to_owned());
    }
    if has_vocabulary && !uses_vocabulary {
        return Err(
            "`vocabulary` and `code_vocabulary` need validator = \"vocabulary\"".to_owned(),
        );
    }
    Ok(ValueRules {
        validator,
        normaliser,
        pattern,
        numeric_damage: written.numeric_damage,
        vocabulary: Vocabulary::new(&written.vocabulary),
        code_vocabulary: Vocabulary::new(&written.code_vocabulary),
        today,
    })
}

fn hanzi_pattern(pattern: &str, weak: bool) -> Result<HanziPattern, String> {
    if pattern.is_ascii() {
        return Err(format!(
            "Chinese header pattern {pattern:?} has no Chinese characters; list it under `en`"
        ));
    }
    let text = header::normalise_hanzi(pattern);
    Ok(HanziPattern { text, weak })
}

fn token_pattern(pattern: &str, weak: bool, pinyin: bool) -> Result<TokenPattern, String> {
    if !pattern.is_ascii() {
        return Err(format!(
            "header pattern {pattern:?} is not ASCII; list Chinese patterns under `zh` or `zh_hant`"
        ));
    }
    let tokens = header::tokenize(pattern);
    if tokens.is_empty() {
        return Err(format!("header pattern {pattern:?} has no letters"));
    }
    if pinyin && (tokens.len() != 1 || !pattern.bytes().all(|b| b.is_ascii_alphabetic())) {
        return Err(format!(
            "pinyin code {pattern:?} must be letters only, such as SFZH"
        ));
    }
    Ok(TokenPattern {
        joined: tokens.concat(),
        tokens,
        weak,
        pinyin,
    })
}

/// Sorts a weak pattern by its script: Han text, an all-uppercase pinyin code, or English.
fn weak_pattern(pattern: &str, headers: &mut ElementHeaders) -> Result<(), String> {
    if !pattern.is_ascii() {
        headers.hanzi.push(hanzi_pattern(pattern, true)?);
    } else if !pattern.is_empty() && pattern.bytes().all(|b| b.is_ascii_uppercase()) {
        headers.tokens.push(token_pattern(pattern, true, true)?);
    } else {
        headers.tokens.push(token_pattern(pattern, true, false)?);
    }
    Ok(())
}

fn compile_headers(written: &HeaderPatterns) -> Result<ElementHeaders, String> {
    let mut headers = ElementHeaders::default();
    for pattern in written.zh.iter().chain(&written.zh_hant) {
        headers.hanzi.push(hanzi_pattern(pattern, false)?);
    }
    for pattern in &written.en {
        headers.tokens.push(token_pattern(pattern, false, false)?);
    }
    for pattern in &written.pinyin {
        headers.tokens.push(token_pattern(pattern, false, true)?);
    }
    for pattern in &written.weak {
        weak_pattern(pattern, &mut headers)?;
    }
    if headers.hanzi.is_empty() && headers.tokens.is_empty() {
        return Err("no header patterns: list at least one under [element.headers]".to_owned());
    }
    check_single_tokens(&written.exclude_tokens)?;
    headers.exclude_tokens = written
        .exclude_tokens
        .iter()
        .flat_map(|t| header::tokenize(t))
        .collect::<HashSet<_>>();
    headers.exclude_words = normalised_words(&written.exclude_words);
    Ok(headers)
}

/// Runs an element's samples. Errors name the sample list and position but not the value,
/// which may be personal data in a user's pack.
fn check_samples(pack: &ElementPack, element: &Element) -> Result<(), PackError> {
    let samples = &element.samples;
    let lists = [
        ("valid", &samples.valid, ValueClass::Valid),
        ("invalid", &samples.invalid, ValueClass::Invalid),
        ("masked", &samples.masked, ValueClass::Masked),
        ("damaged", &samples.damaged, ValueClass::Damaged),
    ];
    for (list, values, expected) in lists {
        for (position, value) in values.iter().enumerate() {
            let class = element.classify(value);
            if class != expected {
                return Err(element_error(
                    &element.file,
                    &element.id,
                    format!(
                        "sample {list}[{position}] classifies as {class:?}, expected {expected:?}"
                    ),
                ));
            }
        }
    }
    let index = pack.index_of(&element.id);
    for header in &samples.headers {
        let best = pack.match_header(header).first().map(|m| m.element);
        if best != index {
            let found = best
                .and_then(|i| pack.elements.get(i))
                .map_or("no element", |e| e.id.as_str());
            return Err(element_error(
                &element.file,
                &element.id,
                format!("sample header {header:?} matches {found} first, expected this element"),
            ));
        }
    }
    for header in &samples.not_headers {
        if let Some(hit) = pack
            .match_header(header)
            .iter()
            .find(|m| Some(m.element) == index)
        {
            return Err(element_error(
                &element.file,
                &element.id,
                format!(
                    "sample header {header:?} must not match this element, but scores {:.2}",
                    hit.score
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_date_bounds_birth_dates() {
        // The built-in samples were all born before 2005.
        let today = NaiveDate::from_ymd_opt(2005, 1, 1).expect("valid date");
        let pack = load_builtin(today).expect("built-in pack loads");
        let id = pack
            .index_of("resident_id")
            .map(|i| &pack.elements[i])
            .expect("resident_id");
        assert_eq!(id.classify("51010720010209018X"), ValueClass::Valid);
        assert_eq!(id.classify("610102201001010028"), ValueClass::Invalid);
        let birth = pack
            .index_of("birth_date")
            .map(|i| &pack.elements[i])
            .expect("birth_date");
        assert_eq!(birth.classify("2004-12-31"), ValueClass::Valid);
        assert_eq!(birth.classify("2005-01-02"), ValueClass::Invalid);
    }

    #[test]
    fn no_sources_is_an_error() {
        let error = load_sources(&[], today())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("no element files"), "{error}");
    }
}
