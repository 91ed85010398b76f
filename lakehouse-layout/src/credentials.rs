//! Who may write to the lake and read its private data: named bearer tokens, kept in a file
//! as SHA-256 digests, reloaded when the file changes (rotation without a restart).
//!
//! ```text
//! # NAME  SCOPE     SHA-256 of the token (hex)
//! daydream-gateways  push      5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
//! ops                operator  2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
//! ```
//!
//! Only digests are stored, so the file does not give the tokens away. A `push` token lets a
//! producer send events (`naap ingest --listen`), recorded under its name as the source of
//! its events; an `operator` token reads bronze, dead letters and private columns
//! (`naap serve --operator`). Tokens are compared by digest, never logged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Sending events to a push listener.
    Push,
    /// Reading operator data: bronze, dead letters, private columns.
    Operator,
}

impl Scope {
    /// The scope's name in the credentials file.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Push => "push",
            Scope::Operator => "operator",
        }
    }
}

/// Whom a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The name the credentials file gives it (`[A-Za-z0-9._-]`, used as a source name).
    pub name: String,
    /// What it may do.
    pub scope: Scope,
}

/// Why a request was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token was sent (HTTP 401, gRPC `UNAUTHENTICATED`).
    Missing,
    /// The token is not in the file (401, `UNAUTHENTICATED`).
    Unknown,
    /// The token is known but its scope does not allow this (403, `PERMISSION_DENIED`).
    WrongScope,
}

impl Denied {
    /// A short label for metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Denied::Missing => "missing_credential",
            Denied::Unknown => "unknown_credential",
            Denied::WrongScope => "wrong_scope",
        }
    }

    /// What to tell the client.
    pub fn detail(self, scope: Scope) -> String {
        match self {
            Denied::Missing => format!(
                "this endpoint needs a {} token: send Authorization: Bearer <token>",
                scope.as_str()
            ),
            Denied::Unknown => "the token is not valid".to_string(),
            Denied::WrongScope => format!("the token does not have the {} scope", scope.as_str()),
        }
    }
}

/// The SHA-256 digest of a token, hex: what the credentials file stores.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses a credentials file's text: digest → principal.
pub fn parse_credentials(text: &str) -> std::result::Result<HashMap<String, Principal>, String> {
    let mut tokens = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let at = |detail: &str| format!("line {}: {detail}", number + 1);
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, scope, digest] = fields.as_slice() else {
            return Err(at("expected NAME SCOPE SHA256"));
        };
        if !crate::is_valid_source_name(name) {
            return Err(at(&format!("name {name:?} is not [A-Za-z0-9._-]")));
        }
        let scope = match *scope {
            "push" => Scope::Push,
            "operator" => Scope::Operator,
            other => return Err(at(&format!("unknown scope {other:?} (push, operator)"))),
        };
        let digest = digest.to_ascii_lowercase();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(at(
                "the token must be given as its SHA-256 digest in hex (64 characters)",
            ));
        }
        let principal = Principal {
            name: name.to_string(),
            scope,
        };
        if tokens.insert(digest, principal).is_some() {
            return Err(at("the same token twice"));
        }
    }
    Ok(tokens)
}

/// The credentials of a file, reloaded when it changes (checked at most once a second).
#[derive(Debug)]
pub struct Credentials {
    path: PathBuf,
    state: RwLock<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    tokens: HashMap<String, Principal>,
    modified: Option<SystemTime>,
    checked: Instant,
}

/// How often the file's modification time is looked at.
const RECHECK: Duration = Duration::from_secs(1);

impl Credentials {
    /// Loads the credentials file at `path`; an unreadable or malformed file is an error.
    pub fn load(path: &Path) -> Result<Credentials> {
        let (tokens, modified) = read(path)?;
        Ok(Credentials {
            path: path.to_path_buf(),
            state: RwLock::new(Loaded {
                tokens,
                modified,
                checked: Instant::now(),
            }),
        })
    }

    /// Credentials from a file's text (tests, embedded configurations); never reloaded.
    pub fn from_text(text: &str) -> Result<Credentials> {
        let tokens = parse_credentials(text).map_err(|detail| Error::Credentials {
            path: "<text>".into(),
            detail,
        })?;
        Ok(Credentials {
            path: PathBuf::new(),
            state: RwLock::new(Loaded {
                tokens,
                modified: None,
                checked: Instant::now(),
            }),
        })
    }

    /// How many tokens are known.
    pub fn len(&self) -> usize {
        self.state.read().expect("not poisoned").tokens.len()
    }

    /// Whether no token is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Who `token` (the value of `Authorization: Bearer …`, if any) is, if it may act in
    /// `scope`.
    pub fn authorize(&self, token: Option<&str>, scope: Scope) -> std::result::Result<Principal, Denied> {
        self.reload_if_changed();
        let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or(Denied::Missing)?;
        let state = self.state.read().expect("not poisoned");
        let principal = state.tokens.get(&token_digest(token)).ok_or(Denied::Unknown)?;
        match principal.scope == scope {
            true => Ok(principal.clone()),
            false => Err(Denied::WrongScope),
        }
    }

    /// Reads the file again when its modification time changed. A file that became unreadable
    /// or malformed keeps the tokens loaded before (and says so in the log).
    fn reload_if_changed(&self) {
        if self.path.as_os_str().is_empty() || self.state.read().expect("not poisoned").checked.elapsed() < RECHECK {
            return;
        }
        let modified = std::fs::metadata(&self.path).and_then(|m| m.modified()).ok();
        let mut state = self.state.write().expect("not poisoned");
        state.checked = Instant::now();
        if modified == state.modified {
            return;
        }
        match read(&self.path) {
            Ok((tokens, modified)) => {
                tracing::info!(path = %self.path.display(), tokens = tokens.len(), "credentials reloaded");
                state.tokens = tokens;
                state.modified = modified;
            }
            Err(e) => tracing::error!("keeping the credentials loaded before: {e}"),
        }
    }
}

fn read(path: &Path) -> Result<(HashMap<String, Principal>, Option<SystemTime>)> {
    let error = |detail: String| Error::Credentials {
        path: path.display().to_string(),
        detail,
    };
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let tokens = parse_credentials(&text).map_err(error)?;
    Ok((tokens, modified))
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, scope: &str, token: &str) -> String {
        format!("{name} {scope} {}\n", token_digest(token))
    }

    #[test]
    fn tokens_are_known_by_digest_with_their_scope() {
        let text = format!(
            "# producers\n{}{}",
            line("gw-a", "push", "token-a"),
            line("ops", "operator", "token-ops")
        );
        let credentials = Credentials::from_text(&text).unwrap();
        assert_eq!(credentials.len(), 2);
        assert_eq!(
            credentials.authorize(Some("token-a"), Scope::Push).unwrap().name,
            "gw-a"
        );
        assert_eq!(credentials.authorize(None, Scope::Push), Err(Denied::Missing));
        assert_eq!(credentials.authorize(Some("nope"), Scope::Push), Err(Denied::Unknown));
        assert_eq!(
            credentials.authorize(Some("token-a"), Scope::Operator),
            Err(Denied::WrongScope)
        );
        assert_eq!(bearer_token(Some("Bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
    }

    #[test]
    fn malformed_files_say_which_line() {
        for (text, expected) in [
            ("a push", "line 1: expected NAME SCOPE SHA256"),
            ("a/b push 00", "not [A-Za-z0-9._-]"),
            ("a admin 00", "unknown scope"),
            ("a push secret-token", "SHA-256 digest"),
        ] {
            let error = parse_credentials(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let twice = format!("{}{}", line("a", "push", "t"), line("b", "push", "t"));
        assert!(parse_credentials(&twice).unwrap_err().contains("line 2"));
    }

    #[test]
    fn a_rewritten_file_is_picked_up_without_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, line("gw", "push", "old")).unwrap();
        let credentials = Credentials::load(&path).unwrap();
        assert!(credentials.authorize(Some("old"), Scope::Push).is_ok());
        std::fs::write(&path, line("gw", "push", "new")).unwrap();
        // A different modification time (file systems with coarse clocks need a nudge).
        let later = SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        credentials.state.write().unwrap().checked -= RECHECK;
        assert!(credentials.authorize(Some("new"), Scope::Push).is_ok());
        assert_eq!(credentials.authorize(Some("old"), Scope::Push), Err(Denied::Unknown));
    }
}
