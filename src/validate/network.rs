//! Network and location identifiers: email addresses, IP addresses and coordinates.

use std::borrow::Cow;
use std::net::IpAddr;

/// Characters allowed in the local part of an address besides ASCII letters and digits
/// (RFC 5322 `atext`, plus the dot between atoms).
const LOCAL_PART_SYMBOLS: &[u8] = b"!#$%&'*+/=?^_`{|}~-.";

/// Checks the syntax of an email address: a dot-atom local part of at most 64 characters,
/// `@`, and a domain of at most 253 characters with two or more labels, the last of them
/// alphabetic (or an `xn--` label). Quoted local parts and address literals are rejected:
/// they do not occur in the exports this tool reads.
pub fn email_valid(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    local_part_valid(local) && domain_valid(domain)
}

fn local_part_valid(local: &str) -> bool {
    let bytes = local.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || LOCAL_PART_SYMBOLS.contains(b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn domain_valid(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|label| label_valid(label)) {
        return false;
    }
    let top = labels.last().copied().unwrap_or("");
    (top.len() >= 2 && top.bytes().all(|b| b.is_ascii_alphabetic())) || top.starts_with("xn--")
}

fn label_valid(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Puts an email address into its linking form: trimmed and lower-cased. Lower-casing the
/// local part is not what RFC 5321 allows a server to assume, but mailbox providers treat
/// it as case-insensitive, so one person's address links across spellings.
pub fn normalise_email(value: &str) -> Cow<'_, str> {
    let trimmed = super::trim(value);
    if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Checks an IPv4 (dotted quad, no leading zeros) or IPv6 address with `std::net`.
pub fn ip_valid(value: &str) -> bool {
    value.trim().parse::<IpAddr>().is_ok()
}

/// Longitude range of the box around China (degrees east), wide enough for the GCJ-02 and
/// BD-09 offsets of a few hundred metres.
const LONGITUDE: std::ops::RangeInclusive<f64> = 72.004..=137.8347;
/// Latitude range of the box around China (degrees north).
const LATITUDE: std::ops::RangeInclusive<f64> = 0.8293..=55.8271;

/// Minimum decimal places of a lone coordinate: three places are about 100 m.
const MIN_DECIMALS: usize = 3;

fn decimal_places(number: &str) -> usize {
    number
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

fn parse_coordinate(text: &str) -> Option<(f64, usize)> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let plain = !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-' || *b == b'+');
    if !plain {
        return None;
    }
    let number: f64 = text.parse().ok()?;
    number.is_finite().then_some((number, decimal_places(text)))
}

/// Checks a location in or near China: a longitude/latitude pair in either order
/// (`116.397128,39.916527`, `39.916527 116.397128`, `POINT(116.3971 39.9165)`), or a lone
/// latitude or longitude with three or more decimal places.
// NOTE: a lone coordinate is a loose check (any decimal between 0.83 and 137.83 with three
// places passes), so it is meant for columns that a header already names as a coordinate.
pub fn geo_location_valid(value: &str) -> bool {
    let trimmed = value.trim();
    let inner = trimmed
        .strip_prefix("POINT")
        .or_else(|| trimmed.strip_prefix("point"))
        .unwrap_or(trimmed)
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    let parts: Vec<&str> = inner
        .split(|c: char| c == ',' || c == '，' || c == ';' || c == '；' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect();
    match parts.as_slice() {
        [single] => parse_coordinate(single).is_some_and(|(number, places)| {
            places >= MIN_DECIMALS && (LONGITUDE.contains(&number) || LATITUDE.contains(&number))
        }),
        [first, second] => match (parse_coordinate(first), parse_coordinate(second)) {
            (Some((a, _)), Some((b, _))) => {
                (LONGITUDE.contains(&a) && LATITUDE.contains(&b))
                    || (LATITUDE.contains(&a) && LONGITUDE.contains(&b))
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_accepted() {
        for address in [
            "zhang.san@example.com",
            "li_si+tag@mail.example.cn",
            "user-1@sub.example.com.cn",
            "A.B@EXAMPLE.COM",
            "x@example.xn--fiqs8s",
        ] {
            assert!(email_valid(address), "{address}");
        }
    }

    #[test]
    fn emails_rejected() {
        for address in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@example",
            "a@@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example-.com",
            "a@example.c",
            "a@example.123",
            "a b@example.com",
            "张三@example.com",
            "a@exa_mple.com",
        ] {
            assert!(!email_valid(address), "{address}");
        }
    }

    #[test]
    fn email_length_limits() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!email_valid(&long_local));
        let max_local = format!("{}@example.com", "a".repeat(64));
        assert!(email_valid(&max_local));
    }

    #[test]
    fn email_normalised_to_lower_case() {
        assert_eq!(
            normalise_email(" Zhang.San@Example.COM "),
            "zhang.san@example.com"
        );
        assert!(matches!(
            normalise_email("zhang@example.com"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn ip_addresses() {
        for address in [
            "192.168.1.10",
            "10.0.0.1",
            "::1",
            "2001:db8::8a2e:370:7334",
            " 8.8.8.8 ",
        ] {
            assert!(ip_valid(address), "{address}");
        }
        for address in [
            "256.1.1.1",
            "192.168.1",
            "192.168.01.1",
            "1.2.3.4.5",
            "abc",
            "2001:db8:::1",
            "",
        ] {
            assert!(!ip_valid(address), "{address}");
        }
    }

    #[test]
    fn coordinate_pairs() {
        for value in [
            "116.397128,39.916527",
            "39.916527, 116.397128",
            "116.397128 39.916527",
            "POINT(116.3971 39.9165)",
            "(39.9165,116.3971)",
            "121.4737，31.2304",
            "116,40",
        ] {
            assert!(geo_location_valid(value), "{value}");
        }
    }

    #[test]
    fn coordinate_pairs_outside_china() {
        for value in [
            "-74.0060,40.7128",
            "2.3522,48.8566",
            "116.39,60.1",
            "150.1,39.9",
            "39.9,39.9",
        ] {
            assert!(!geo_location_valid(value), "{value}");
        }
    }

    #[test]
    fn lone_coordinates_need_decimals() {
        assert!(geo_location_valid("39.916527"));
        assert!(geo_location_valid("116.397"));
        assert!(!geo_location_valid("39.91"));
        assert!(!geo_location_valid("180.123"));
        assert!(!geo_location_valid("abc"));
        assert!(!geo_location_valid("1,2,3"));
        assert!(!geo_location_valid(""));
    }
}
