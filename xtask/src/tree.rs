//! Reading `cargo tree --prefix none --format {p}` output.

use std::collections::BTreeSet;

/// Package names in `cargo tree --prefix none --format {p}` output: the first word of each line.
///
/// Lines look like `voxkit-core v0.1.0 (/path)` or `serde v1.0.228 (*)`; blank lines and
/// dependency-kind headers such as `[build-dependencies]` are skipped.
pub fn package_names(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('['))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_first_word_of_each_line() {
        let output = "\
voxkit v0.1.0 (/work/main/crates/voxkit)
voxkit-laaffic v0.1.0 (/work/main/crates/voxkit-laaffic)
voxkit-core v0.1.0 (/work/main/crates/voxkit-core)
serde v1.0.228
serde_derive v1.0.228 (proc-macro)
[build-dependencies]
cc v1.2.0

serde v1.0.228 (*)
";
        let names: Vec<_> = package_names(output).into_iter().collect();
        assert_eq!(
            names,
            [
                "cc",
                "serde",
                "serde_derive",
                "voxkit",
                "voxkit-core",
                "voxkit-laaffic"
            ]
        );
    }

    #[test]
    fn empty_output_has_no_packages() {
        assert!(package_names("\n\n").is_empty());
    }
}
