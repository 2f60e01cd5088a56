//! Header matching: normalising a column header and scoring it against every element's
//! Chinese, English and pinyin-initials patterns.
//!
//! Chinese patterns match as substrings of the header with whitespace and punctuation
//! removed. English and pinyin patterns match as whole tokens, so `cid` never matches
//! `acid_level`. Where the hits of two elements overlap, the longer pattern wins (`IP地址` is
//! an IP address, not an address). Exclusion words outside the matched pattern veto an
//! element (`email_verified`, `手机号是否验证`).

use std::borrow::Cow;
use std::collections::HashSet;

use super::{ElementPack, HeaderMatch};
use crate::validate::to_half_width;

/// Score of a pattern that covers the whole header.
const EXACT: f32 = 1.0;
/// Base score of a pattern at the end of the header, the head of a Chinese or English
/// compound (`联系人姓名`, `customer_mobile`).
const SUFFIX_BASE: f32 = 0.75;
/// Base score of a pattern elsewhere in the header.
const INNER_BASE: f32 = 0.55;
/// Added share of the header that the pattern covers.
const COVERAGE_WEIGHT: f32 = 0.2;
/// Score of a role-prefixed pinyin code that is the whole header (`djrsfzh`).
const ROLE_ALONE: f32 = 0.6;
/// Score of a role-prefixed pinyin code among other tokens.
const ROLE_INNER: f32 = 0.5;
/// Factor for patterns listed as weak.
const WEAK_FACTOR: f32 = 0.5;

/// Header rules shared by all elements.
#[derive(Debug, Default)]
pub(super) struct HeaderRules {
    pub role_prefixes: HashSet<String>,
    pub exclude_tokens: HashSet<String>,
    /// Normalised with `normalise_hanzi`.
    pub exclude_words: Vec<String>,
}

/// A Chinese pattern, normalised with `normalise_hanzi`.
#[derive(Debug)]
pub(super) struct HanziPattern {
    pub text: String,
    pub weak: bool,
}

/// An English or pinyin pattern as lowercase tokens.
#[derive(Debug)]
pub(super) struct TokenPattern {
    pub tokens: Vec<String>,
    /// The tokens written together (`idcardno`), matched against one header token.
    pub joined: String,
    pub weak: bool,
    /// Whether a role prefix may precede the code inside one token.
    pub pinyin: bool,
}

/// The compiled header patterns of one element.
#[derive(Debug, Default)]
pub(super) struct ElementHeaders {
    pub hanzi: Vec<HanziPattern>,
    pub tokens: Vec<TokenPattern>,
    pub exclude_tokens: HashSet<String>,
    pub exclude_words: Vec<String>,
}

/// Folds full-width forms, removes whitespace and punctuation, and lowers ASCII letters:
/// the form in which Chinese patterns and headers are compared.
pub(super) fn normalise_hanzi(text: &str) -> String {
    to_half_width(text)
        .chars()
        .filter(|c| !(c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punctuation(*c)))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{303F}' | '·' | '•' | '…' | '—' | '–' | '“' | '”' | '‘' | '’'
    )
}

/// Splits text into lowercase ASCII tokens. Runs of letters and digits are split further at
/// camelCase boundaries (`plateNo` becomes plate, no and `IDCard` becomes id, card) and
/// between letters and digits. Tokens of digits only are dropped (`address2` → address).
pub(super) fn tokenize(text: &str) -> Vec<String> {
    let folded = to_half_width(text);
    let mut tokens = Vec::new();
    for run in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|r| !r.is_empty())
    {
        let bytes = run.as_bytes();
        let mut start = 0;
        for i in 1..bytes.len() {
            let (before, at) = (bytes[i - 1], bytes[i]);
            let lower_to_upper = before.is_ascii_lowercase() && at.is_ascii_uppercase();
            let acronym_end = before.is_ascii_uppercase()
                && at.is_ascii_uppercase()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            let digit_edge = before.is_ascii_digit() != at.is_ascii_digit();
            if lower_to_upper || acronym_end || digit_edge {
                tokens.push(&run[start..i]);
                start = i;
            }
        }
        tokens.push(&run[start..]);
    }
    tokens
        .into_iter()
        .filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_ascii_lowercase)
        .collect()
}

const OPENING: [char; 4] = ['(', '[', '【', '〔'];
const CLOSING: [char; 4] = [')', ']', '】', '〕'];

/// Removes bracketed notes such as `(必填)` or `(required)`. Text that is all notes, or
/// has unbalanced brackets, is kept with only the bracket characters removed.
fn drop_notes(text: &str) -> Cow<'_, str> {
    if !text.contains(OPENING) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        if OPENING.contains(&c) {
            depth += 1;
        } else if CLOSING.contains(&c) && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            kept.push(c);
        }
    }
    if depth > 0 || kept.trim().is_empty() {
        return Cow::Owned(
            text.chars()
                .filter(|c| !OPENING.contains(c) && !CLOSING.contains(c))
                .collect(),
        );
    }
    Cow::Owned(kept)
}

/// Returns the comment part of `NAME comment` (a schema column name and its comment joined
/// by whitespace), or the whole text when it has no such form.
fn chinese_part(text: &str) -> &str {
    let trimmed = text.trim();
    let Some((name, rest)) = trimmed.split_once(char::is_whitespace) else {
        return trimmed;
    };
    let name_is_identifier = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'));
    if name_is_identifier && !rest.is_ascii() {
        rest
    } else {
        trimmed
    }
}

/// A header in the forms that patterns are compared with.
struct NormalisedHeader {
    hanzi: String,
    hanzi_chars: usize,
    tokens: Vec<String>,
}

impl NormalisedHeader {
    fn new(header: &str) -> NormalisedHeader {
        let folded = to_half_width(header);
        let without_notes = drop_notes(&folded);
        let hanzi = normalise_hanzi(chinese_part(&without_notes));
        NormalisedHeader {
            hanzi_chars: hanzi.chars().count(),
            hanzi,
            tokens: tokenize(&without_notes),
        }
    }
}

/// Kind of range a hit covers: bytes of the Chinese form, or header tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Space {
    Hanzi,
    Tokens,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    element: usize,
    space: Space,
    start: usize,
    end: usize,
    score: f32,
}

impl Hit {
    fn len(&self) -> usize {
        self.end - self.start
    }

    fn covers(&self, start: usize, end: usize) -> bool {
        self.start <= start && end <= self.end
    }
}

/// Scores a hit from its position: whole header, header end, or inside.
fn position_score(
    start: usize,
    end: usize,
    total: usize,
    covered: usize,
    total_units: usize,
) -> f32 {
    let coverage = covered as f32 / total_units.max(1) as f32;
    if start == 0 && end == total {
        EXACT
    } else if end == total {
        SUFFIX_BASE + COVERAGE_WEIGHT * coverage
    } else {
        INNER_BASE + COVERAGE_WEIGHT * coverage
    }
}

fn weak_factor(weak: bool) -> f32 {
    if weak { WEAK_FACTOR } else { 1.0 }
}

fn hanzi_hits(
    element: usize,
    patterns: &[HanziPattern],
    header: &NormalisedHeader,
    hits: &mut Vec<Hit>,
) {
    for pattern in patterns {
        let Some(start) = header.hanzi.rfind(&pattern.text) else {
            continue;
        };
        let end = start + pattern.text.len();
        let covered = pattern.text.chars().count();
        let score = position_score(start, end, header.hanzi.len(), covered, header.hanzi_chars);
        hits.push(Hit {
            element,
            space: Space::Hanzi,
            start,
            end,
            score: score * weak_factor(pattern.weak),
        });
    }
}

/// Returns the start of the last occurrence of `needle` as a contiguous run in `tokens`.
fn find_tokens(tokens: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > tokens.len() {
        return None;
    }
    (0..=tokens.len() - needle.len())
        .rev()
        .find(|&i| tokens[i..i + needle.len()] == *needle)
}

fn token_hits(
    element: usize,
    patterns: &[TokenPattern],
    header: &NormalisedHeader,
    roles: &HashSet<String>,
    hits: &mut Vec<Hit>,
) {
    let tokens = &header.tokens;
    let total = tokens.len();
    for pattern in patterns {
        let factor = weak_factor(pattern.weak);
        if let Some(start) = find_tokens(tokens, &pattern.tokens) {
            let end = start + pattern.tokens.len();
            let score = position_score(start, end, total, pattern.tokens.len(), total);
            hits.push(Hit {
                element,
                space: Space::Tokens,
                start,
                end,
                score: score * factor,
            });
            continue;
        }
        if pattern.tokens.len() > 1
            && let Some(start) = tokens.iter().rposition(|t| *t == pattern.joined)
        {
            let score = position_score(start, start + 1, total, 1, total);
            hits.push(Hit {
                element,
                space: Space::Tokens,
                start,
                end: start + 1,
                score: score * factor,
            });
            continue;
        }
        if !pattern.pinyin {
            continue;
        }
        let code = &pattern.joined;
        let role_hit = tokens.iter().rposition(|t| {
            t.len() > code.len()
                && t.ends_with(code.as_str())
                && roles.contains(&t[..t.len() - code.len()])
        });
        if let Some(start) = role_hit {
            let score = if total == 1 { ROLE_ALONE } else { ROLE_INNER };
            hits.push(Hit {
                element,
                space: Space::Tokens,
                start,
                end: start + 1,
                score: score * factor,
            });
        }
    }
}

/// Drops every hit that lies inside a longer hit of another element in the same space.
fn drop_dominated(hits: &mut Vec<Hit>) {
    let all = hits.clone();
    hits.retain(|hit| {
        !all.iter().any(|other| {
            other.element != hit.element
                && other.space == hit.space
                && other.len() > hit.len()
                && other.covers(hit.start, hit.end)
        })
    });
}

/// Returns the best hit of `element` in `space`: highest score, then longest.
fn best_in(hits: &[Hit], element: usize, space: Space) -> Option<Hit> {
    hits.iter()
        .filter(|h| h.element == element && h.space == space)
        .copied()
        .max_by(|a, b| a.score.total_cmp(&b.score).then(a.len().cmp(&b.len())))
}

/// Returns whether an exclusion word or token lies outside the element's matched span.
fn vetoed(
    pack: &ElementPack,
    element: usize,
    header: &NormalisedHeader,
    hanzi: Option<Hit>,
    tokens: Option<Hit>,
) -> bool {
    let Some(own) = pack.elements.get(element).map(|e| &e.header) else {
        return true;
    };
    let rules = &pack.header_rules;
    let word_outside = |word: &String| {
        header
            .hanzi
            .match_indices(word.as_str())
            .any(|(start, _)| !hanzi.is_some_and(|h| h.covers(start, start + word.len())))
    };
    if rules
        .exclude_words
        .iter()
        .chain(&own.exclude_words)
        .any(word_outside)
    {
        return true;
    }
    header.tokens.iter().enumerate().any(|(i, token)| {
        let excluded = rules.exclude_tokens.contains(token) || own.exclude_tokens.contains(token);
        excluded && !tokens.is_some_and(|h| h.covers(i, i + 1))
    })
}

/// Scores `header` against every element of `pack`, best first; ties keep pack order.
pub(super) fn match_header(pack: &ElementPack, header: &str) -> Vec<HeaderMatch> {
    let normalised = NormalisedHeader::new(header);
    if normalised.hanzi.is_empty() && normalised.tokens.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (index, element) in pack.elements.iter().enumerate() {
        hanzi_hits(index, &element.header.hanzi, &normalised, &mut hits);
        token_hits(
            index,
            &element.header.tokens,
            &normalised,
            &pack.header_rules.role_prefixes,
            &mut hits,
        );
    }
    drop_dominated(&mut hits);

    let mut matches = Vec::new();
    for index in 0..pack.elements.len() {
        let hanzi = best_in(&hits, index, Space::Hanzi);
        let tokens = best_in(&hits, index, Space::Tokens);
        let score = hanzi
            .map_or(0.0, |h| h.score)
            .max(tokens.map_or(0.0, |h| h.score));
        if score > 0.0 && !vetoed(pack, index, &normalised, hanzi, tokens) {
            matches.push(HeaderMatch {
                element: index,
                score,
            });
        }
    }
    matches.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.element.cmp(&b.element)));
    matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_at_case_and_separators() {
        assert_eq!(tokenize("plateNo"), ["plate", "no"]);
        assert_eq!(tokenize("idNo"), ["id", "no"]);
        assert_eq!(tokenize("IDCard"), ["id", "card"]);
        assert_eq!(tokenize("ID_CARD_NO"), ["id", "card", "no"]);
        assert_eq!(tokenize("contact.name"), ["contact", "name"]);
        assert_eq!(tokenize("SFZH"), ["sfzh"]);
        assert_eq!(tokenize("e-mail"), ["e", "mail"]);
        assert_eq!(tokenize("address2"), ["address"]);
        assert_eq!(tokenize("XM 姓名"), ["xm"]);
        assert_eq!(tokenize("ＩＤＮｏ"), ["id", "no"]);
        assert!(tokenize("姓名").is_empty());
    }

    #[test]
    fn hanzi_form_drops_spacing() {
        assert_eq!(normalise_hanzi("家庭\n住址"), "家庭住址");
        assert_eq!(normalise_hanzi(" *姓　名: "), "姓名");
        assert_eq!(normalise_hanzi("IP地址"), "ip地址");
        assert_eq!(normalise_hanzi("身份证号、"), "身份证号");
    }

    #[test]
    fn notes_dropped() {
        assert_eq!(drop_notes("联系电话(必填)"), "联系电话");
        assert_eq!(drop_notes("Phone (required)"), "Phone ");
        assert_eq!(drop_notes("【必填】姓名"), "姓名");
        assert_eq!(drop_notes("(手机号)"), "手机号");
        assert_eq!(drop_notes("姓名(必填"), "姓名必填");
        assert_eq!(drop_notes("姓名"), "姓名");
    }

    #[test]
    fn comment_part_of_schema_column() {
        assert_eq!(chinese_part("XM 姓名"), "姓名");
        assert_eq!(chinese_part("contact.name 联系人姓名"), "联系人姓名");
        assert_eq!(chinese_part("家庭 住址"), "家庭 住址");
        assert_eq!(chinese_part("home address"), "home address");
        assert_eq!(chinese_part("姓名"), "姓名");
    }
}
