//! Where a page of a list stands, said the same way by every list command: the text
//! footer and the `meta` object of `--output json`.
//!
//! Why: a list that shows page 1 without saying that page 2 exists is how an operator
//! concluded that a lost recharge "was not applied" and sent it again (issue 12). Every
//! list therefore says when there are more pages and how to get them.

use serde_json::{Value, json};

use super::plural;

/// Where one page stands among the pages of a list, as far as the provider's answer (or a
/// look at the next page) tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// This page's number, from 1.
    pub current: u64,
    /// The last page's number, when known.
    pub last: Option<u64>,
    /// How many items all pages hold, when known.
    pub total: Option<u64>,
    /// Whether a page after this one holds items (`None`: unknown).
    pub more: Option<bool>,
    /// Whether the command has `--all` (the footer then offers it).
    pub all_flag: bool,
}

impl PageInfo {
    /// A page of a list whose answer says how many items there are, `per_page` a page.
    pub fn counted(current: u64, per_page: u64, total: u64, all_flag: bool) -> Self {
        let last = total.div_ceil(per_page.max(1)).max(1);
        PageInfo::known(current, last, Some(total), all_flag)
    }

    /// A page of a list whose answer gives the last page's number.
    pub fn known(current: u64, last: u64, total: Option<u64>, all_flag: bool) -> Self {
        PageInfo {
            current,
            last: Some(last),
            total,
            more: Some(current < last),
            all_flag,
        }
    }

    /// The `meta` object of `--output json`: `current_page`, `last_page` and `total`
    /// (`null` when unknown), and `more` (whether a later page holds items).
    pub fn json(&self) -> Value {
        json!({
            "current_page": self.current,
            "last_page": self.last,
            "total": self.total,
            "more": self.more,
        })
    }

    /// Where the page stands, e.g. `page 1 of 2 (21 records); more: --page 2 or --all`.
    pub fn describe(&self, one: &str, many: &str) -> String {
        let (p, next) = (self.current, self.current.saturating_add(1));
        let mut line = match (self.last, self.more) {
            (Some(last), _) => format!("page {p} of {last}"),
            (None, Some(true)) => format!("page {p} of more than {p}"),
            (None, Some(false)) => format!("page {p} of {p}"),
            (None, None) => format!("page {p}"),
        };
        if let Some(total) = self.total {
            line.push_str(&format!(" ({})", plural(to_usize(total), one, many)));
        }
        let how = if self.all_flag {
            format!("--page {next} or --all")
        } else {
            format!("--page {next}")
        };
        match self.more {
            Some(true) => line.push_str(&format!("; more: {how}")),
            None => line.push_str(&format!("; there may be more: {how}")),
            Some(false) => {}
        }
        line
    }
}

/// The footer of a list: how many items this page shows, then where the page stands.
/// `3 records; page 1 of 2 (18 records); more: --page 2 or --all`.
pub fn footer(shown: usize, one: &str, many: &str, page: Option<&PageInfo>) -> String {
    let mut line = plural(shown, one, many);
    if let Some(page) = page {
        line.push_str("; ");
        line.push_str(&page.describe(one, many));
    }
    line
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_say_when_more_pages_exist() {
        let first = PageInfo::known(1, 2, Some(21), true);
        assert_eq!(
            footer(15, "record", "records", Some(&first)),
            "15 records; page 1 of 2 (21 records); more: --page 2 or --all"
        );
        let last = PageInfo::known(2, 2, Some(21), true);
        assert_eq!(
            footer(6, "record", "records", Some(&last)),
            "6 records; page 2 of 2 (21 records)"
        );
        let probed = PageInfo {
            current: 1,
            last: None,
            total: None,
            more: Some(true),
            all_flag: true,
        };
        assert_eq!(
            footer(15, "record", "records", Some(&probed)),
            "15 records; page 1 of more than 1; more: --page 2 or --all"
        );
        let unknown = PageInfo {
            more: None,
            all_flag: false,
            ..probed
        };
        assert_eq!(
            unknown.describe("task", "tasks"),
            "page 1; there may be more: --page 2"
        );
        assert_eq!(footer(1, "card", "cards", None), "1 card");
    }

    #[test]
    fn counted_pages_round_up() {
        let page = PageInfo::counted(2, 10, 21, false);
        assert_eq!((page.last, page.more), (Some(3), Some(true)));
        assert_eq!(
            page.json(),
            json!({"current_page": 2, "last_page": 3, "total": 21, "more": true})
        );
        let empty = PageInfo::counted(1, 10, 0, false);
        assert_eq!((empty.last, empty.more), (Some(1), Some(false)));
    }
}
