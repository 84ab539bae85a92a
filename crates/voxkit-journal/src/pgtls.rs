//! TLS for the PostgreSQL journal's connections.
//!
//! A fleet's journal is usually on another host, often a managed service that refuses
//! connections without TLS, and the journal's traffic is the intents themselves (accounts,
//! amounts, markers) and the credentials of the connection. So the connections speak TLS
//! through rustls with voxkit's crypto provider, and the server's certificate is always
//! verified: against the platform's roots (as the HTTP calls are), or against the CA given
//! in `sslrootcert` for a server with a certificate of its own making. There is no mode that
//! encrypts without verifying: it would look safe and stop only a passive listener.
//!
//! libpq's names are kept, so a URL that works with `psql` works here:
//!
//! - no `sslmode`: plain to a server on this machine (loopback addresses, `localhost`, a
//!   Unix socket), where TLS protects nothing; `require` to any other, so the journal never
//!   crosses a network in clear unless the URL says so (the HTTP calls' rule for plain
//!   `http://`). libpq's default, `prefer`, would fall back to plain without a word;
//! - `sslmode=disable`: no TLS;
//! - `sslmode=prefer`: TLS when the server offers it (verified, which libpq does not do
//!   under `prefer`), plain when it does not;
//! - `sslmode=require`, `verify-ca`, `verify-full`: TLS or no connection, the certificate
//!   and the host name verified in all three (stricter than libpq's `require` and
//!   `verify-ca`, which skip some of it);
//! - `sslrootcert=FILE`: trust only the CA certificates in this PEM file.
//!
//! Client certificates (`sslcert`, `sslkey`) are not supported: refused with a clear error,
//! never ignored.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::Error;

/// A connection's settings and its TLS connector, read from the journal's URL.
pub(crate) struct Connection {
    pub(crate) config: tokio_postgres::Config,
    pub(crate) tls: MakeRustlsConnect,
}

/// Reads `url` (a `postgres://` URL or a libpq `key=value` string): takes out what
/// tokio-postgres does not know (`sslrootcert`; `sslmode` `verify-ca` and `verify-full`,
/// read as `require` since the certificate is verified anyway) and builds the connector.
/// Errors never repeat the URL: it may hold a password.
pub(crate) fn connection(url: &str) -> Result<Connection, Error> {
    let settings = Settings::read(url)?;
    let mut config = tokio_postgres::Config::from_str(&settings.rest)
        .map_err(|e| Error::Invalid(format!("invalid PostgreSQL URL: {e}")))?;
    if !settings.mode_given {
        config.ssl_mode(if on_this_machine(&config) {
            SslMode::Disable
        } else {
            SslMode::Require
        });
    }
    let tls = client_config(settings.root_cert.as_ref())?;
    Ok(Connection {
        config,
        tls: MakeRustlsConnect::new(tls),
    })
}

/// Whether every address the connection may go to is on this machine: the `hostaddr`s
/// when given (they are what is connected to), else the hosts.
fn on_this_machine(config: &tokio_postgres::Config) -> bool {
    use voxkit_core::transport::is_loopback_host;
    if !config.get_hostaddrs().is_empty() {
        return config.get_hostaddrs().iter().all(IpAddr::is_loopback);
    }
    config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => is_loopback_host(name),
        #[cfg(unix)]
        Host::Unix(_) => true,
    })
}

/// The TLS settings taken out of a URL, and the URL without them.
#[derive(Debug, PartialEq, Eq)]
struct Settings {
    /// The URL as tokio-postgres reads it.
    rest: String,
    /// `sslrootcert`: trust only the CAs in this file.
    root_cert: Option<PathBuf>,
    /// Whether the URL says `sslmode` (else it follows from where the server is).
    mode_given: bool,
}

/// The parameters tokio-postgres would refuse as unknown, and why voxkit does not take them.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("sslcert", "client certificates are not supported"),
    ("sslkey", "client certificates are not supported"),
    ("sslpassword", "client certificates are not supported"),
    ("sslcrl", "certificate revocation lists are not supported"),
    (
        "sslcrldir",
        "certificate revocation lists are not supported",
    ),
];

impl Settings {
    fn read(url: &str) -> Result<Self, Error> {
        let mut root_cert = None;
        let mut mode_given = false;
        let mut take = |key: &str, value: String| -> Result<Option<String>, Error> {
            mode_given |= key == "sslmode";
            if let Some((_, why)) = UNSUPPORTED.iter().find(|(k, _)| *k == key) {
                return Err(Error::Invalid(format!("PostgreSQL URL: `{key}`: {why}")));
            }
            match (key, value.as_str()) {
                ("sslrootcert", "") => Err(Error::Invalid(
                    "PostgreSQL URL: `sslrootcert` names no file".to_owned(),
                )),
                ("sslrootcert", _) => {
                    root_cert = Some(PathBuf::from(value));
                    Ok(None)
                }
                ("sslmode", "verify-ca" | "verify-full") => Ok(Some("require".to_owned())),
                _ => Ok(Some(value)),
            }
        };
        let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            read_url(url, &mut take)?
        } else {
            read_key_values(url, &mut take)?
        };
        Ok(Self {
            rest,
            root_cert,
            mode_given,
        })
    }
}

/// A `postgres://` URL with its query's parameters passed through `take` (`None`: dropped);
/// everything else is kept as written.
fn read_url(
    url: &str,
    take: &mut impl FnMut(&str, String) -> Result<Option<String>, Error>,
) -> Result<String, Error> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok(url.to_owned());
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode_str(key).decode_utf8_lossy();
        let decoded = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match take(&key, decoded.clone())? {
            // Unchanged: kept exactly as written (its encoding included).
            Some(new) if new == decoded => kept.push(pair.to_owned()),
            // Only `sslmode` is rewritten, to a plain word.
            Some(new) => kept.push(format!("{key}={new}")),
            None => {}
        }
    }
    Ok(if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    })
}

/// A libpq `key=value` string (values unquoted, or single-quoted with `\` escapes), each
/// parameter passed through `take`, written back quoted.
fn read_key_values(
    text: &str,
    take: &mut impl FnMut(&str, String) -> Result<Option<String>, Error>,
) -> Result<String, Error> {
    let bad = || Error::Invalid("invalid PostgreSQL connection string".to_owned());
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') || key.is_empty() {
            return Err(bad());
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next().ok_or_else(bad)? {
                    '\'' => break,
                    '\\' => value.push(chars.next().ok_or_else(bad)?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                value.push(c);
            }
        }
        if let Some(value) = take(&key, value)? {
            let quoted = value.replace('\\', "\\\\").replace('\'', "\\'");
            out.push(format!("{key}='{quoted}'"));
        }
    }
    Ok(out.join(" "))
}

/// What to do about a failed connection whose error says `text`, when TLS is why.
pub(crate) fn hint(text: &str) -> &'static str {
    if text.contains("does not support TLS") {
        " (TLS is required to a server on another host unless the URL says `sslmode=disable`; \
         better, turn TLS on in the server)"
    } else if text.contains("certificate") {
        " (the server's certificate is verified against the platform's roots, or only \
         against the CA file the URL names with `sslrootcert=FILE`)"
    } else {
        ""
    }
}

/// The rustls configuration of the journal's connections: voxkit's crypto provider, and
/// either the platform's verifier or only the CAs of `root_cert`; ALPN `postgresql` (what
/// PostgreSQL 17 asks of a client that offers ALPN at all).
fn client_config(root_cert: Option<&PathBuf>) -> Result<rustls::ClientConfig, Error> {
    let mut config = match root_cert {
        None => voxkit_core::transport::rustls_client_config().map_err(Error::Invalid)?,
        Some(path) => {
            let unreadable = |e: &dyn std::fmt::Display| {
                Error::Invalid(format!("sslrootcert {}: {e}", path.display()))
            };
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
                roots
                    .add(cert.map_err(|e| unreadable(&e))?)
                    .map_err(|e| unreadable(&e))?;
            }
            if roots.is_empty() {
                return Err(unreadable(&"no certificate in the file"));
            }
            rustls::ClientConfig::builder_with_provider(
                voxkit_core::transport::rustls_crypto_provider(),
            )
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Invalid(format!("invalid TLS configuration: {e}")))?
            .with_root_certificates(Arc::new(roots))
            .with_no_client_auth()
        }
    };
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> Result<Settings, Error> {
        Settings::read(url)
    }

    #[test]
    fn sslrootcert_is_taken_out_of_a_url_and_the_rest_kept_as_written() {
        let s = read(
            "postgres://u:p%40ss@db.example:5432/app?application_name=a%20b\
             &sslrootcert=%2Fetc%2Fca%20dir%2Fca.pem&sslmode=verify-full",
        )
        .unwrap();
        assert_eq!(s.root_cert, Some(PathBuf::from("/etc/ca dir/ca.pem")));
        assert_eq!(
            s.rest,
            "postgres://u:p%40ss@db.example:5432/app?application_name=a%20b&sslmode=require"
        );
        // tokio-postgres reads what is left.
        let config = tokio_postgres::Config::from_str(&s.rest).unwrap();
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_application_name(), Some("a b"));
    }

    #[test]
    fn a_url_without_tls_settings_is_left_alone() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgresql://h/db?sslmode=disable",
            "postgres://h/db?sslmode=prefer&options=-c%20jit%3Doff",
        ] {
            let s = read(url).unwrap();
            assert_eq!((s.rest.as_str(), s.root_cert), (url, None));
        }
        assert_eq!(
            read("postgres://h/db?sslrootcert=%2Fca.pem").unwrap().rest,
            "postgres://h/db"
        );
    }

    #[test]
    fn key_value_strings_are_read_with_their_quotes() {
        let s = read(
            "host=db.example user=app password='it\\'s secret' \
             sslrootcert = '/etc/my ca.pem' sslmode=verify-ca",
        )
        .unwrap();
        assert_eq!(s.root_cert, Some(PathBuf::from("/etc/my ca.pem")));
        let config = tokio_postgres::Config::from_str(&s.rest).unwrap();
        assert_eq!(config.get_password(), Some(&b"it's secret"[..]));
        assert_eq!(config.get_hosts().len(), 1);
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert!(read("host=db.example password='unterminated").is_err());
        assert!(read("host").is_err());
    }

    #[test]
    fn client_certificates_and_an_empty_sslrootcert_are_refused_without_the_url() {
        for url in [
            "postgres://u:SENTINEL@h/db?sslcert=%2Fc.pem",
            "postgres://u:SENTINEL@h/db?sslkey=k.pem",
            "host=h password=SENTINEL sslcert=c.pem",
            "postgres://u:SENTINEL@h/db?sslrootcert=",
        ] {
            let error = read(url).unwrap_err().to_string();
            assert!(error.contains("ssl"), "{error}");
            assert!(!error.contains("SENTINEL"), "{error}");
        }
    }

    #[test]
    fn a_root_cert_file_that_holds_no_certificate_is_refused() {
        let dir = std::env::temp_dir();
        let empty = dir.join(format!("voxkit-pgtls-{}-empty.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = client_config(Some(&empty)).unwrap_err().to_string();
        std::fs::remove_file(&empty).unwrap();
        assert!(error.contains("no certificate"), "{error}");
        let missing = dir.join(format!("voxkit-pgtls-{}-missing.pem", std::process::id()));
        let error = client_config(Some(&missing)).unwrap_err().to_string();
        assert!(error.contains("missing.pem"), "{error}");
    }

    #[test]
    fn without_sslmode_only_this_machine_is_reached_in_clear() {
        let mode = |url: &str| connection(url).unwrap().config.get_ssl_mode();
        for local in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://localhost/db",
            "postgres://[::1]:5432/db",
            "host=/var/run/postgresql dbname=app",
            "host=db.example hostaddr=127.0.0.1 dbname=app",
        ] {
            assert_eq!(mode(local), SslMode::Disable, "{local}");
        }
        for remote in [
            "postgres://db.example/app",
            "postgres://10.0.0.5/app",
            "postgres://127.0.0.1,db.example/app",
            "host=localhost hostaddr=10.0.0.5 dbname=app",
        ] {
            assert_eq!(mode(remote), SslMode::Require, "{remote}");
        }
        // What the URL says wins.
        assert_eq!(
            mode("postgres://db.example/app?sslmode=disable"),
            SslMode::Disable
        );
        assert_eq!(
            mode("postgres://127.0.0.1/app?sslmode=prefer"),
            SslMode::Prefer
        );
        assert_eq!(
            mode("postgres://127.0.0.1/app?sslmode=verify-full"),
            SslMode::Require
        );
    }

    #[test]
    fn tls_failures_say_what_to_do() {
        assert!(
            hint("error performing TLS handshake: server does not support TLS")
                .contains("sslmode=disable")
        );
        assert!(
            hint("error performing TLS handshake: invalid peer certificate: UnknownIssuer")
                .contains("sslrootcert")
        );
        assert_eq!(hint("error connecting to server: Connection refused"), "");
    }

    #[test]
    fn connections_offer_postgresql_by_alpn() {
        let config = client_config(None).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"postgresql".to_vec()]);
    }
}
