//! Rust versions as written in `rust-version` (`1.85`, `1.85.1`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A `rust-version` value: up to three dotted numbers, a missing minor or patch counting as 0.
#[derive(Debug, Clone, Copy)]
pub struct RustVersion {
    /// Major, minor and patch, missing parts filled with 0.
    parts: [u64; 3],
    /// How many parts were written, so that `1.85` displays as `1.85`.
    written: usize,
}

impl FromStr for RustVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = [0; 3];
        let mut written = 0;
        for piece in s.trim().split('.') {
            if written == parts.len() {
                return Err(format!("invalid rust-version `{s}`: more than three parts"));
            }
            parts[written] = piece
                .parse()
                .map_err(|_| format!("invalid rust-version `{s}`: `{piece}` is not a number"))?;
            written += 1;
        }
        Ok(Self { parts, written })
    }
}

impl PartialEq for RustVersion {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for RustVersion {}

impl PartialOrd for RustVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RustVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

impl fmt::Display for RustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self.parts[..self.written]
            .iter()
            .map(u64::to_string)
            .collect();
        f.write_str(&shown.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> RustVersion {
        s.parse().unwrap()
    }

    #[test]
    fn missing_patch_is_zero() {
        assert_eq!(v("1.85"), v("1.85.0"));
        assert!(v("1.85.1") > v("1.85"));
    }

    #[test]
    fn compares_numerically_not_lexically() {
        assert!(v("1.100") > v("1.85"));
        assert!(v("1.9") < v("1.85"));
        assert!(v("2.0") > v("1.99.9"));
    }

    #[test]
    fn displays_as_written() {
        assert_eq!(v("1.85").to_string(), "1.85");
        assert_eq!(v("1.85.0").to_string(), "1.85.0");
    }

    #[test]
    fn rejects_garbage() {
        assert!("1.x".parse::<RustVersion>().is_err());
        assert!("".parse::<RustVersion>().is_err());
        assert!("1.2.3.4".parse::<RustVersion>().is_err());
        assert!("1.85.0-nightly".parse::<RustVersion>().is_err());
    }
}
