//! The paging flags of the list commands, declared once so that `--page`, `--per-page` /
//! `--limit` and `--all` have the same names, ranges and conflicts on every list that
//! pages the same way (issue 13). A command's own detail (the server's default page size,
//! how `--all` prints) is said in that command's about text, not here.
//!
//! Three shapes, because the providers differ: longlonglong's `--per-page`, ESP-AI's
//! `--limit` that also sizes the pages of `--all` (the quota cards and their log), and
//! ESP-AI's `--limit` that sizes one page only (agents and devices, whose `--all` walk
//! uses the server's page size). Lists that page otherwise (Laaffic's `--size`, the
//! lists without a page size) declare their own flags.

use clap::Args;

/// `--page N`, `--per-page N`, `--all`: one page of a longlonglong list, or every page.
/// `--all` excludes `--page`; `--per-page` sizes the one page or each page walked.
#[derive(Debug, Clone, Copy, Args)]
pub struct PageArgs {
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
    /// Items per page (with --all: the size of each page fetched).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_page: Option<u32>,
    /// Every item of every page (progress on stderr).
    #[arg(long, conflicts_with = "page")]
    pub all: bool,
}

/// `--page N`, `--limit N`, `--all`: one page of an ESP-AI list whose walk can be sized,
/// or every page. `--all` excludes `--page`; `--limit` sizes the one page or each page
/// walked.
#[derive(Debug, Clone, Copy, Args)]
pub struct LimitPageArgs {
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
    /// Items per page (with --all: the size of each page fetched).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Every item of every page (progress on stderr).
    #[arg(long, conflicts_with = "page")]
    pub all: bool,
}

/// `--page N`, `--limit N`, `--all`: one page of an ESP-AI list whose walk always uses
/// the server's page size, or every page. `--all` excludes both `--page` and `--limit`,
/// so that a size given is never silently ignored.
#[derive(Debug, Clone, Copy, Args)]
pub struct OnePageLimitArgs {
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
    /// Items per page (one page only: not with --all).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub limit: Option<u32>,
    /// Every item of every page (progress on stderr).
    #[arg(long, conflicts_with = "page")]
    pub all: bool,
}
