//! Discovery: walks the given paths and lists the files to scan, in a stable order, with the
//! entries that cannot be scanned (special files, loops, unreadable folders) and why.

use std::fs::FileType;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// One entry found under the scanned paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub path: PathBuf,
    /// Path relative to the scanned directory with `/` separators, as shown in reports.
    pub display: String,
    pub kind: CandidateKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CandidateKind {
    /// A regular file (or a link to one) of this size.
    File { size: u64 },
    /// An entry that is listed but never opened, with the reason.
    NotOpened(String),
    /// An entry that could not be examined, with the error.
    Error(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path}: not found; check the path")]
    NotFound { path: String },
}

/// Folders of version-control systems, skipped like hidden entries.
const VCS_FOLDERS: &[&str] = &[".git", ".hg", ".svn", "CVS", "_darcs", ".bzr"];

/// Lists the files under `roots`, sorted by their display path. Hidden entries (names
/// starting with `.`) and version-control folders are skipped unless `include_hidden`; a
/// root given explicitly is never skipped.
pub fn discover(roots: &[PathBuf], include_hidden: bool) -> Result<Vec<Candidate>, DiscoverError> {
    let mut candidates = Vec::new();
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            return Err(DiscoverError::NotFound {
                path: root.display().to_string(),
            });
        }
        let prefix = if roots.len() > 1 {
            Some(root.as_path())
        } else {
            None
        };
        walk(root, prefix, include_hidden, &mut candidates);
    }
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    candidates.dedup_by(|a, b| a.path == b.path);
    Ok(candidates)
}

fn walk(root: &Path, prefix: Option<&Path>, include_hidden: bool, out: &mut Vec<Candidate>) {
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let skip = entry.depth() > 0 && !include_hidden && is_hidden(entry.file_name());
            if skip {
                log::info!(
                    "{}: hidden, skipped (--hidden scans it)",
                    entry.path().display()
                );
            }
            !skip
        });
    for item in walker {
        match item {
            Ok(entry) => {
                if entry.file_type().is_dir() {
                    continue;
                }
                let display = display_path(root, entry.path(), prefix);
                let kind = classify(entry.path(), entry.file_type());
                out.push(Candidate {
                    path: entry.path().to_path_buf(),
                    display,
                    kind,
                });
            }
            Err(error) => {
                let path = error.path().unwrap_or(root).to_path_buf();
                let display = display_path(root, &path, prefix);
                let reason = walk_error_reason(&error);
                out.push(Candidate {
                    path,
                    display,
                    kind: CandidateKind::Error(reason),
                });
            }
        }
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || VCS_FOLDERS.contains(&name.as_ref())
}

fn classify(path: &Path, file_type: FileType) -> CandidateKind {
    if file_type.is_file() {
        return match std::fs::metadata(path) {
            Ok(metadata) => CandidateKind::File {
                size: metadata.len(),
            },
            Err(error) => CandidateKind::Error(format!("cannot read metadata: {error}")),
        };
    }
    CandidateKind::NotOpened(special_file_reason(file_type))
}

#[cfg(unix)]
fn special_file_reason(file_type: FileType) -> String {
    let kind = special_file_kind(file_type);
    format!("{kind}: not opened; copy the data into a regular file to scan it")
}

#[cfg(not(unix))]
fn special_file_reason(_file_type: FileType) -> String {
    "not a regular file: not opened".to_string()
}

/// Returns the kind of a file that is not a regular file, such as "a named pipe (FIFO)".
#[cfg(unix)]
pub(crate) fn special_file_kind(file_type: FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else if file_type.is_symlink() {
        "a broken symbolic link"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
pub(crate) fn special_file_kind(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

fn walk_error_reason(error: &walkdir::Error) -> String {
    if let Some(ancestor) = error.loop_ancestor() {
        return format!(
            "symbolic link loop back to {}: not followed again",
            ancestor.display()
        );
    }
    match error.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied: grant read access or run as a user who has it".to_string()
        }
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "broken symbolic link or file removed during the scan".to_string()
        }
        // A symbolic link that points at itself, or links that point at each other (ELOOP;
        // `ErrorKind::FilesystemLoop` is not stable yet).
        Some(io) if is_eloop(io) => {
            "symbolic link loop (the link resolves to itself): not followed; fix or remove the link"
                .to_string()
        }
        Some(io) => io.to_string(),
        None => error.to_string(),
    }
}

#[cfg(unix)]
fn is_eloop(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_eloop(_: &std::io::Error) -> bool {
    false
}

fn display_path(root: &Path, path: &Path, prefix: Option<&Path>) -> String {
    let relative = match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| path.to_path_buf()),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    };
    let relative = match prefix {
        Some(prefix)
            if path
                .strip_prefix(root)
                .is_ok_and(|r| !r.as_os_str().is_empty()) =>
        {
            prefix.join(relative)
        }
        _ => relative,
    };
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_vcs_entries_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.csv"), "x").unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/b.csv"), "x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/c.csv"), "x").unwrap();
        let found = discover(&[dir.path().to_path_buf()], false).unwrap();
        let names: Vec<&str> = found.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(names, ["a.csv", "sub/c.csv"]);
        let all = discover(&[dir.path().to_path_buf()], true).unwrap();
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn single_file_root_shows_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("only.csv");
        std::fs::write(&file, "x").unwrap();
        let found = discover(&[file], false).unwrap();
        assert_eq!(found[0].display, "only.csv");
        assert_eq!(found[0].kind, CandidateKind::File { size: 1 });
    }

    #[test]
    fn missing_root_is_an_error() {
        let result = discover(&[PathBuf::from("/nonexistent/exportscan")], false);
        assert!(matches!(result, Err(DiscoverError::NotFound { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
        let found = discover(&[dir.path().to_path_buf()], false).unwrap();
        assert!(
            found
                .iter()
                .any(|c| matches!(c.kind, CandidateKind::Error(_)))
        );
    }

    #[cfg(unix)]
    #[test]
    fn self_link_gets_advice() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
        let found = discover(&[dir.path().to_path_buf()], false).unwrap();
        let reasons: Vec<&str> = found
            .iter()
            .filter_map(|c| match &c.kind {
                CandidateKind::Error(reason) => Some(reason.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].contains("fix or remove the link"),
            "{}",
            reasons[0]
        );
    }
}
