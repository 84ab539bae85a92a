//! Where a journal lives: a SQLite file, or a PostgreSQL URL (`postgres://` or
//! `postgresql://`) for a fleet sharing one journal. The URL may hold a password, so it is
//! never printed whole: [`JournalLocation`]'s `Debug` and `Display` show it redacted, and
//! error texts from opening it are scrubbed of the password as well.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use voxkit_journal::{Journal, PgConfig, PgJournal, SqliteJournal};

use crate::failure::CliError;

/// The value of `--journal`: a file path, or a PostgreSQL URL (kept out of `Debug`).
#[derive(Clone)]
pub enum JournalLocation {
    /// A SQLite file, created if missing (by `batch run`).
    Sqlite(PathBuf),
    /// A PostgreSQL URL, as given (it may hold a password).
    Postgres(PgUrl),
}

/// A PostgreSQL URL whose password never leaves through `Debug`, `Display` or errors.
#[derive(Clone)]
pub struct PgUrl {
    url: String,
}

impl std::fmt::Debug for JournalLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for JournalLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalLocation::Sqlite(path) => write!(f, "{}", path.display()),
            JournalLocation::Postgres(url) => write!(f, "{}", url.redacted()),
        }
    }
}

impl JournalLocation {
    /// Reads `--journal`: a `postgres://` or `postgresql://` URL, or else a path.
    pub fn parse(value: OsString) -> Result<Self, String> {
        match value.to_str() {
            Some(text) if text.starts_with("postgres://") || text.starts_with("postgresql://") => {
                Ok(JournalLocation::Postgres(PgUrl {
                    url: text.to_owned(),
                }))
            }
            _ if value.is_empty() => Err("the journal path is empty".to_owned()),
            _ => Ok(JournalLocation::Sqlite(PathBuf::from(value))),
        }
    }

    /// Opens the journal: a SQLite file is created when `create` (else it must exist); a
    /// PostgreSQL journal's schema is created on first use, in `schema`.
    pub async fn open(
        &self,
        create: bool,
        schema: &str,
        pool: usize,
    ) -> Result<Arc<dyn Journal>, CliError> {
        match self {
            JournalLocation::Sqlite(path) => {
                if !create && !path.exists() {
                    return Err(CliError::invalid(format!(
                        "no journal at {}",
                        path.display()
                    )));
                }
                let journal = SqliteJournal::open(path).await.map_err(|e| {
                    CliError::local(
                        "journal",
                        format!("cannot open the journal {}: {e}", path.display()),
                    )
                })?;
                Ok(Arc::new(journal))
            }
            JournalLocation::Postgres(url) => {
                let config = PgConfig::new(url.url.clone())
                    .schema(schema)
                    .pool_size(pool);
                let journal = PgJournal::connect(config).await.map_err(|e| {
                    let message = format!(
                        "cannot open the journal {} (schema {schema}): {}",
                        url.redacted(),
                        url.scrub(&e.to_string())
                    );
                    match e {
                        // The URL or the schema name (its TLS settings included), refused
                        // before anything was connected to: invalid input, exit 2.
                        voxkit_journal::Error::Invalid(_) => CliError::invalid(message),
                        _ => CliError::local("journal", message),
                    }
                })?;
                Ok(Arc::new(journal))
            }
        }
    }

    /// `text` without the URL's password (for errors raised while using the journal).
    pub fn scrub(&self, text: &str) -> String {
        match self {
            JournalLocation::Sqlite(_) => text.to_owned(),
            JournalLocation::Postgres(url) => url.scrub(text),
        }
    }
}

impl PgUrl {
    /// The password of the URL's user part and of a `password=` query parameter, as
    /// written (percent-encoded) and decoded: what must never be printed.
    fn secrets(&self) -> Vec<String> {
        let mut secrets = Vec::new();
        let rest = self.url.split_once("://").map_or("", |(_, rest)| rest);
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, password)) = userinfo.split_once(':') {
                secrets.push(password.to_owned());
            }
        }
        if let Some((_, query)) = self.url.split_once('?') {
            for pair in query.split('&') {
                if let Some((name, value)) = pair.split_once('=') {
                    if name.eq_ignore_ascii_case("password") {
                        secrets.push(value.to_owned());
                    }
                }
            }
        }
        let decoded: Vec<String> = secrets.iter().map(|s| percent_decode(s)).collect();
        secrets.extend(decoded);
        secrets.retain(|s| !s.is_empty());
        // The longest first, so that a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        secrets
    }

    /// `text` with every form of the password replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.secrets() {
            text = text.replace(&secret, "***");
        }
        text
    }

    /// The URL with its password shown as `***`.
    pub fn redacted(&self) -> String {
        self.scrub(&self.url)
    }
}

/// `%XX` sequences decoded (invalid ones kept), lossily as UTF-8.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = [bytes[i + 1], bytes[i + 2]];
            let byte = std::str::from_utf8(&hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = byte {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(text: &str) -> JournalLocation {
        JournalLocation::parse(OsString::from(text)).unwrap()
    }

    #[test]
    fn a_postgres_url_never_shows_its_password() {
        let journal = location("postgres://batch:s3cr%2Ft@db.internal:5432/ops?password=other1");
        let shown = format!("{journal} {journal:?}");
        assert!(
            !shown.contains("s3cr") && !shown.contains("other1"),
            "{shown}"
        );
        assert!(
            shown.contains("postgres://batch:***@db.internal:5432/ops"),
            "{shown}"
        );
        let JournalLocation::Postgres(url) = &journal else {
            panic!("{journal:?}")
        };
        assert_eq!(
            url.scrub("password for s3cr/t and s3cr%2Ft refused"),
            "password for *** and *** refused"
        );
        let plain = location("postgresql://postgres@127.0.0.1:5432/postgres");
        assert_eq!(
            plain.to_string(),
            "postgresql://postgres@127.0.0.1:5432/postgres"
        );
    }

    #[test]
    fn anything_else_is_a_sqlite_path() {
        assert!(matches!(
            location("batch.journal"),
            JournalLocation::Sqlite(_)
        ));
        assert!(matches!(
            location("postgres.db"),
            JournalLocation::Sqlite(_)
        ));
        assert!(JournalLocation::parse(OsString::new()).is_err());
    }
}
