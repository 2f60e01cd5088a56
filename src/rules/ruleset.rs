//! The set of loaded rule packs: embedded packs plus a user's directory, the checks across
//! packs, and the choice of the edition in force on a date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;

use super::RulesError;
use super::pack::{Pack, PackOrigin};
use super::profile::Profile;

/// Packs shipped in `patterns/rules/`, compiled into the binary.
const EMBEDDED: [(&str, &str); 2] = [
    (
        "cn-national-2024.toml",
        include_str!("../../patterns/rules/cn-national-2024.toml"),
    ),
    (
        "beijing-ftz-2024.toml",
        include_str!("../../patterns/rules/beijing-ftz-2024.toml"),
    ),
];

/// The zone value of the national rules in profiles and messages.
pub(crate) const NATIONAL_ZONE: &str = "none";

/// A checked set of rule packs with unique ids and no overlapping editions.
#[derive(Debug, Clone)]
pub struct RuleSet {
    packs: Vec<Pack>,
}

impl RuleSet {
    /// Loads the embedded packs, then the `*.toml` packs in `extra_dir`, which add packs or
    /// replace embedded packs with the same id.
    pub fn load(extra_dir: Option<&Path>) -> Result<RuleSet, RulesError> {
        let mut packs: BTreeMap<String, Pack> = BTreeMap::new();
        for pack in embedded_packs()? {
            packs.insert(pack.id.clone(), pack);
        }
        if let Some(dir) = extra_dir {
            for mut pack in load_dir(dir)? {
                let replaces = packs.contains_key(&pack.id);
                if let PackOrigin::File {
                    replaces_embedded, ..
                } = &mut pack.origin
                {
                    *replaces_embedded = replaces;
                }
                packs.insert(pack.id.clone(), pack);
            }
        }
        RuleSet::from_packs(packs.into_values().collect())
    }

    /// Builds a set from checked packs, rejecting duplicate ids and overlapping editions.
    pub fn from_packs(mut packs: Vec<Pack>) -> Result<RuleSet, RulesError> {
        packs.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = packs.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(RulesError::Conflict(format!(
                "two packs have the id {:?}: {} and {}",
                pair[0].id,
                pair[0].origin.display_name(),
                pair[1].origin.display_name()
            )));
        }
        let set = RuleSet { packs };
        set.check_successors();
        set.check_overlaps()?;
        Ok(set)
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    pub fn get(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// Returns the pack with this id, or an error listing the loaded ids.
    pub fn pack(&self, id: &str) -> Result<&Pack, RulesError> {
        self.get(id).ok_or_else(|| RulesError::UnknownPack {
            id: id.to_string(),
            known: self.packs.iter().map(|p| p.id.clone()).collect(),
        })
    }

    /// Returns the zones of the loaded packs, with "none" for the national rules first.
    pub fn zones(&self) -> Vec<String> {
        let zones: BTreeSet<&str> = self
            .packs
            .iter()
            .filter_map(|p| p.zone.as_deref())
            .collect();
        let mut list = vec![NATIONAL_ZONE.to_string()];
        list.extend(zones.into_iter().map(str::to_string));
        list
    }

    /// Returns the scenario ids of all loaded packs, sorted.
    pub fn scenario_ids(&self) -> Vec<String> {
        let ids: BTreeSet<&str> = self
            .packs
            .iter()
            .flat_map(|p| p.scenarios.iter().map(|s| s.id.as_str()))
            .collect();
        ids.into_iter().map(str::to_string).collect()
    }

    /// Returns the industry ids of all loaded packs, sorted.
    pub fn industry_ids(&self) -> Vec<String> {
        let ids: BTreeSet<&str> = self
            .packs
            .iter()
            .flat_map(|p| p.industries.iter().map(|i| i.id.as_str()))
            .collect();
        ids.into_iter().map(str::to_string).collect()
    }

    /// Returns every data element id that a loaded pack names, so that the caller can check
    /// them against the element definitions.
    pub fn element_ids(&self) -> BTreeSet<String> {
        self.packs.iter().flat_map(Pack::element_ids).collect()
    }

    /// Returns the named element groups that the packs applying to `profile` count, as
    /// (group id, element ids). The scan counts distinct people per group into
    /// `Individuals::by_group`.
    ///
    /// When the profile's packs cannot be chosen (unknown zone, no edition in force), the
    /// groups of every loaded pack are returned, so that the scan still counts them and
    /// `decide` reports the error.
    pub fn element_groups(&self, profile: &Profile) -> Vec<(String, Vec<String>)> {
        let selected: Vec<&Pack> = match self.select_for(profile) {
            Ok((national, zone)) => std::iter::once(national).chain(zone).collect(),
            Err(_) => self.packs.iter().collect(),
        };
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pack in selected {
            for group in &pack.groups {
                groups
                    .entry(group.id.clone())
                    .or_insert_with(|| group.elements.clone());
            }
        }
        groups.into_iter().collect()
    }

    /// Chooses the national pack and, for a zone handler, the zone pack in force on the
    /// profile's date.
    pub(crate) fn select_for(
        &self,
        profile: &Profile,
    ) -> Result<(&Pack, Option<&Pack>), RulesError> {
        let national = self.select(NATIONAL_ZONE, profile.date)?;
        let zone = match profile.zone.as_deref() {
            Some(zone) if zone != NATIONAL_ZONE => Some(self.select(zone, profile.date)?),
            _ => None,
        };
        Ok((national, zone))
    }

    /// Chooses the edition of `zone` ("none" for the national rules) in force on `date`,
    /// following superseded_by links to a successor that may cover a wider zone.
    pub fn select(&self, zone: &str, date: NaiveDate) -> Result<&Pack, RulesError> {
        let zone_key = (zone != NATIONAL_ZONE).then_some(zone);
        let editions: Vec<&Pack> = self
            .packs
            .iter()
            .filter(|p| p.zone.as_deref() == zone_key)
            .collect();
        if editions.is_empty() {
            return Err(RulesError::UnknownZone {
                zone: zone.to_string(),
                known: self.zones(),
            });
        }
        if let Some(pack) = editions.iter().find(|p| self.in_force(p, date)) {
            return Ok(pack);
        }
        // Follow the succession chain of the editions that ended before the date.
        for pack in editions
            .iter()
            .filter(|p| self.end_of(p).is_some_and(|end| end <= date))
        {
            if let Some(found) = self.follow_successors(pack, date)? {
                return Ok(found);
            }
        }
        let earliest = editions.iter().min_by_key(|p| p.effective_from);
        match earliest {
            Some(first) if date < first.effective_from => Err(RulesError::Edition(format!(
                "no rule pack for zone {zone} is in force on {date}: the earliest loaded edition, {}, takes effect on {}; add the edition in force then with --rules DIR",
                first.id, first.effective_from
            ))),
            _ => Err(RulesError::Edition(format!(
                "no rule pack for zone {zone} is in force on {date}; add the edition in force then with --rules DIR"
            ))),
        }
    }

    fn follow_successors<'a>(
        &'a self,
        start: &'a Pack,
        date: NaiveDate,
    ) -> Result<Option<&'a Pack>, RulesError> {
        let mut current = start;
        let mut visited = BTreeSet::new();
        while let Some(successor_id) = &current.superseded_by {
            if !visited.insert(current.id.as_str()) {
                return Err(RulesError::Conflict(format!(
                    "superseded_by links form a cycle through {}",
                    current.id
                )));
            }
            let Some(successor) = self.get(successor_id) else {
                let since = self
                    .end_of(current)
                    .map(|d| format!(" from {d}"))
                    .unwrap_or_default();
                return Err(RulesError::Edition(format!(
                    "{} is superseded by {successor_id}{since}, which is not loaded, so no edition is known to be in force on {date}: add {successor_id} with --rules DIR, set the transfer date before the change, or set handler.zone = \"none\" to apply the national rules alone",
                    current.id
                )));
            };
            if self.in_force(successor, date) {
                return Ok(Some(successor));
            }
            current = successor;
        }
        Ok(None)
    }

    /// Returns the first day on which a pack is no longer in force: its successor's
    /// effective_from when the successor is loaded, else its own superseded_on.
    pub fn end_of(&self, pack: &Pack) -> Option<NaiveDate> {
        let successor = pack.superseded_by.as_deref().and_then(|id| self.get(id));
        successor.map(|s| s.effective_from).or(pack.superseded_on)
    }

    fn in_force(&self, pack: &Pack, date: NaiveDate) -> bool {
        pack.effective_from <= date && self.end_of(pack).is_none_or(|end| date < end)
    }

    /// Warns where a pack's superseded_on differs from its loaded successor's effective_from;
    /// the successor's date is used.
    fn check_successors(&self) {
        for pack in &self.packs {
            let successor = pack.superseded_by.as_deref().and_then(|id| self.get(id));
            if let (Some(successor), Some(on)) = (successor, pack.superseded_on)
                && successor.effective_from != on
            {
                log::warn!(
                    "rule pack {} gives superseded_on {on}, but its successor {} takes effect on {}; using {}",
                    pack.id,
                    successor.id,
                    successor.effective_from,
                    successor.effective_from
                );
            }
        }
    }

    /// Rejects two editions of one zone that are in force on a common day, so that editions
    /// never mix silently.
    fn check_overlaps(&self) -> Result<(), RulesError> {
        for (i, a) in self.packs.iter().enumerate() {
            for b in self.packs.iter().skip(i + 1) {
                if a.zone != b.zone {
                    continue;
                }
                let a_end = self.end_of(a);
                let b_end = self.end_of(b);
                let a_before_b = a_end.is_some_and(|end| end <= b.effective_from);
                let b_before_a = b_end.is_some_and(|end| end <= a.effective_from);
                if !a_before_b && !b_before_a {
                    let zone = a.zone.as_deref().unwrap_or(NATIONAL_ZONE);
                    return Err(RulesError::Conflict(format!(
                        "{} ({}) and {} ({}) are editions of zone {zone} in force on common days: set superseded_by and superseded_on in the older one, or replace it by giving your pack its id",
                        a.id,
                        a.origin.display_name(),
                        b.id,
                        b.origin.display_name()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Parses the packs compiled into the binary.
pub fn embedded_packs() -> Result<Vec<Pack>, RulesError> {
    EMBEDDED
        .iter()
        .map(|(name, text)| Pack::parse(text, PackOrigin::Embedded((*name).to_string())))
        .collect()
}

/// Reads and checks every `*.toml` file directly inside `dir`, in file-name order.
pub fn load_dir(dir: &Path) -> Result<Vec<Pack>, RulesError> {
    let mut packs: Vec<Pack> = Vec::new();
    for path in toml_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|error| RulesError::Io {
            path: path.display().to_string(),
            error,
        })?;
        let pack = Pack::parse(
            &text,
            PackOrigin::File {
                path: path.clone(),
                replaces_embedded: false,
            },
        )?;
        if let Some(other) = packs.iter().find(|p| p.id == pack.id) {
            return Err(RulesError::Conflict(format!(
                "two packs have the id {:?}: {} and {}",
                pack.id,
                other.origin.display_name(),
                path.display()
            )));
        }
        packs.push(pack);
    }
    Ok(packs)
}

/// Lists the `*.toml` files directly inside `dir`, sorted; an empty list is an error.
pub fn toml_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, RulesError> {
    let io_error = |error| RulesError::Io {
        path: dir.display().to_string(),
        error,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(RulesError::Io {
            path: dir.display().to_string(),
            error: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no *.toml rule packs in this directory",
            ),
        });
    }
    Ok(files)
}
