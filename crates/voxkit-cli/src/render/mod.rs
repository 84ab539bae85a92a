//! Printing: a command's report, aligned tables and key-value lists, the sanitising of
//! text that came from a server, and (in the submodules) how each provider's results look
//! and where a page of a list stands. The commands and the demo share these renderers, so
//! a result looks the same wherever it is shown.

pub mod espai;
pub mod laaffic;
pub mod longlonglong;
pub mod pages;

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::SystemTime;

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::context::Format;

/// What a command printed: the same result as a JSON value and as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The stable JSON object of `--output json`.
    pub json: Value,
    /// The text for people, without a trailing newline.
    pub text: String,
}

impl Report {
    /// A report.
    pub fn new(json: Value, text: impl Into<String>) -> Self {
        Report {
            json,
            text: text.into(),
        }
    }

    /// Prints the report on stdout in `format`.
    pub fn print(&self, format: Format) {
        match format {
            Format::Json => write_stdout(&self.json.to_string()),
            Format::Text => write_stdout(&self.text),
        }
    }
}

/// Writes `text` and a newline on stdout. A closed pipe (`voxkit ... | head`) is not an
/// error worth a panic: what cannot be written is dropped.
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Writes `text` and a newline on stderr, ignoring a closed pipe.
pub fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Standard output written piece by piece, flushed after each, that notices when the
/// reader has gone (a closed pipe is not an error worth more than stopping).
#[derive(Debug, Default)]
pub struct Stdout {
    /// Whether a write failed: the reader has gone, and nothing more is written.
    pub closed: bool,
}

impl Stdout {
    /// Writes `text` and flushes it, unless the reader has gone.
    pub fn write(&mut self, text: &str) {
        if self.closed {
            return;
        }
        let mut out = std::io::stdout().lock();
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            self.closed = true;
        }
    }
}

/// Prints a formatted line on stdout (see [`write_stdout`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::render::write_stdout(&format!($($arg)*))
    };
}
pub(crate) use out;

/// `text` on one line: every run of whitespace and control characters (newlines, escape
/// sequences' `ESC`) becomes one space, and invisible formatting characters (bidi
/// overrides such as U+202E, zero-width characters: core's
/// [`voxkit_core::redact::is_invisible`]) are removed, so that a server's message cannot
/// break a line, drive the terminal or reorder what is shown.
pub fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if voxkit_core::redact::is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            gap = true;
        } else {
            if gap && !line.is_empty() {
                line.push(' ');
            }
            gap = false;
            line.push(c);
        }
    }
    line
}

/// An optional text for a table cell: sanitised, `-` when absent or empty.
pub fn cell(text: Option<&str>) -> String {
    match text.map(one_line) {
        Some(text) if !text.is_empty() => text,
        _ => "-".to_owned(),
    }
}

/// The columns a string takes in a terminal: 2 for East Asian wide characters (the
/// Chinese of the providers' messages and labels), 0 for combining marks, else 1.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let c = c as u32;
    let wide = matches!(c,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x3FFFD);
    let zero = matches!(c, 0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F);
    if zero {
        0
    } else if wide {
        2
    } else {
        1
    }
}

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table with a header row and columns aligned by display width.
#[derive(Debug, Clone)]
pub struct Table {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[(&'static str, Align)]) -> Self {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; its cells are sanitised to one line each.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells.iter().map(|c| one_line(c)).collect());
    }

    /// The table, two spaces between columns, no trailing spaces, no final newline.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.columns.iter().map(|(h, _)| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let header: Vec<String> = self.columns.iter().map(|(h, _)| (*h).to_owned()).collect();
        let mut text = String::new();
        for (i, row) in std::iter::once(&header).chain(&self.rows).enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let mut line = String::new();
            for (j, cell) in row.iter().enumerate() {
                let pad = " ".repeat(widths[j] - width(cell));
                if j > 0 {
                    line.push_str("  ");
                }
                match self.columns[j].1 {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            text.push_str(line.trim_end());
        }
        text
    }

    /// The table with a last line under it: a list's footer (how many, which page).
    pub fn render_with_footer(&self, footer: &str) -> String {
        let mut text = self.render();
        text.push('\n');
        text.push_str(footer);
        text
    }
}

/// What a list says when the page shown holds no items. The lists word it in three ways,
/// kept as they are because scripts and tests read these lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Empty<'a> {
    /// This text, on any page.
    Text(&'a str),
    /// This text, with ` on page N` past the first page.
    OnPage(&'a str),
    /// `no <items>`, with ` on ` and where the page stands past the first page
    /// (`no cards on page 3 of 2 (12 cards)`).
    Where,
}

/// How a list is shown for people: an aligned table of its items with the list footer
/// (how many; where the page stands), or a line saying it holds none. Every list of every
/// provider is shown through it, so that each states only its columns, nouns and cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListTable<'a> {
    /// The columns, in order.
    pub columns: &'a [(&'static str, Align)],
    /// The items' nouns, singular and plural (`("card", "cards")`), for the footer.
    pub names: (&'a str, &'a str),
    /// What an empty page says.
    pub empty: Empty<'a>,
}

impl ListTable<'_> {
    /// `items` as the table, each row the cells `row` gives (one per column), with the
    /// footer of [`pages::footer`] (`page`: where this page stands; `None` for a whole
    /// list, whose footer is the count alone); the [`Empty`] line when there are none.
    pub fn render<T>(
        &self,
        items: &[T],
        page: Option<&pages::PageInfo>,
        row: impl Fn(&T) -> Vec<String>,
    ) -> String {
        let (one, many) = self.names;
        if items.is_empty() {
            let later = page.filter(|p| p.current > 1);
            return match (self.empty, later) {
                (Empty::Text(text), _) | (Empty::OnPage(text), None) => text.to_owned(),
                (Empty::OnPage(text), Some(page)) => format!("{text} on page {}", page.current),
                (Empty::Where, Some(page)) => format!("no {many} on {}", page.describe(one, many)),
                (Empty::Where, None) => format!("no {many}"),
            };
        }
        let mut table = Table::new(self.columns);
        for item in items {
            table.row(row(item));
        }
        table.render_with_footer(&pages::footer(items.len(), one, many, page))
    }
}

/// Key-value lines with the values aligned: `key  value`.
pub fn key_values(pairs: &[(&str, String)]) -> String {
    let key_width = pairs.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let mut text = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let pad = " ".repeat(key_width - width(key));
        let _ = write!(text, "{key}{pad}  {}", one_line(value));
    }
    text
}

/// A JSON value as text lines for people: an object's fields as aligned `key  value`
/// lines (nested values as compact JSON), anything else as compact JSON.
pub fn json_fields(value: &Value) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let pairs: Vec<(&str, String)> = map
                .iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => "-".to_owned(),
                        other => other.to_string(),
                    };
                    (k.as_str(), shown)
                })
                .collect();
            key_values(&pairs)
        }
        Value::Array(items) if items.is_empty() => "(no data)".to_owned(),
        Value::Null => "(no data)".to_owned(),
        other => one_line(&other.to_string()),
    }
}

/// The one time-zone rule of every command, as `voxkit --help` and the README state it.
///
/// Why one rule: commands used to print UTC, `+08:00` and unlabelled China time side by
/// side, and `--to DAY` left the day out in one command and not in another (issue 18).
pub const TIME_RULE: &str = "Times are shown with their offset, in the zone the provider \
     means: longlonglong and Laaffic answer in China time, shown as +08:00 (text \
     `2026-03-01 08:30:01 +08:00`, JSON `2026-03-01T08:30:01+08:00`); ESP-AI answers \
     instants (epoch milliseconds), shown in UTC (`2025-04-01 11:14:16 UTC`, JSON \
     `2025-04-01T11:14:16.109Z`). Dates and times given to --from/--to without an offset are \
     in the provider's zone (China time for longlonglong and Laaffic), and their days are calendar days inclusive at both ends: `--to 2026-11-30` includes \
     the whole 30th.";

/// China time, UTC+8: the zone of longlonglong's and Laaffic's times (Laaffic's records
/// carry `+08:00`; its task times and longlonglong's times are the same clock unlabelled).
pub fn china() -> FixedOffset {
    // Eight hours is within a day, the only offsets `east_opt` refuses.
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Now, in China time: what a default window of a China-time API is counted from.
pub fn china_now() -> NaiveDateTime {
    DateTime::<Utc>::from(SystemTime::now())
        .with_timezone(&china())
        .naive_local()
}

/// A provider's China time (unlabelled on the wire) as RFC 3339, for JSON:
/// `2026-03-01T08:30:01+08:00`.
pub fn china_json(at: NaiveDateTime) -> String {
    zoned_json(china_time(at))
}

/// A provider's China time for people: `2026-03-01 08:30:01 +08:00`.
pub fn china_text(at: NaiveDateTime) -> String {
    zoned_text(china_time(at))
}

/// A time that carries its offset, as RFC 3339 to the second, for JSON.
pub fn zoned_json(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A time that carries its offset, for people: `2026-03-01 08:30:01 +08:00`.
pub fn zoned_text(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

/// `at` read as China time. China has no daylight saving time, so every local time maps
/// to exactly one instant.
fn china_time(at: NaiveDateTime) -> DateTime<FixedOffset> {
    DateTime::from_naive_utc_and_offset(at - chrono::Duration::hours(8), china())
}

/// A time as RFC 3339 in UTC with milliseconds (`2025-04-01T11:14:16.109Z`), for JSON.
pub fn rfc3339(at: SystemTime) -> String {
    DateTime::<Utc>::from(at).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A time for people: `2025-04-01 11:14:16 UTC`.
pub fn utc_text(at: SystemTime) -> String {
    DateTime::<Utc>::from(at)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// `1 card` / `2 cards`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_collapses_breaks_and_controls() {
        assert_eq!(one_line("  a\n\nb\tc\u{1b}[0m "), "a b c [0m");
        assert_eq!(one_line(""), "");
        assert_eq!(one_line("余额不足"), "余额不足");
    }

    #[test]
    fn one_line_removes_bidi_and_zero_width_characters() {
        // "txt.exe" shown reversed by U+202E, an isolate, zero-width characters, a BOM.
        let text =
            "file\u{202E}exe.txt\u{2066}\u{2069} ok\u{200B}\u{200D}\u{FEFF}\u{061C}\u{200E}!";
        assert_eq!(one_line(text), "fileexe.txt ok!");
        assert_eq!(cell(Some("\u{202E}\u{200F}")), "-");
    }

    #[test]
    fn widths_count_chinese_as_two_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("充值"), 4);
        assert_eq!(width("a充"), 3);
    }

    #[test]
    fn tables_align_by_display_width() {
        let mut table = Table::new(&[
            ("TYPE", Align::Left),
            ("AMOUNT", Align::Right),
            ("REMARK", Align::Left),
        ]);
        table.row(vec!["充值".into(), "100".into(), "order-1".into()]);
        table.row(vec!["x".into(), "7".into(), "-".into()]);
        assert_eq!(
            table.render(),
            "TYPE  AMOUNT  REMARK\n充值     100  order-1\nx          7  -"
        );
        // Every line puts REMARK's column at the same display offset.
        let rendered = table.render();
        let offsets: Vec<usize> = rendered
            .lines()
            .map(|l| {
                let cut = l.rfind("  ").unwrap() + 2;
                width(&l[..cut])
            })
            .collect();
        assert!(offsets.windows(2).all(|w| w[0] == w[1]), "{rendered}");
    }

    #[test]
    fn table_cells_cannot_break_lines() {
        let mut table = Table::new(&[("A", Align::Left)]);
        table.row(vec!["x\ny".into()]);
        assert_eq!(table.render(), "A\nx y");
    }

    /// A list shows its rows with the footer, or one line when the page holds none: the
    /// three wordings of an empty page, and none names the first page.
    #[test]
    fn list_tables_show_rows_and_a_footer_or_say_the_page_is_empty() {
        let list = ListTable {
            columns: &[("ID", Align::Right), ("NAME", Align::Left)],
            names: ("task", "tasks"),
            empty: Empty::Text("no tasks"),
        };
        let first = pages::PageInfo::known(1, 2, Some(3), true);
        let cells = |(id, name): &(u32, &str)| vec![id.to_string(), (*name).to_owned()];
        assert_eq!(
            list.render(&[(7, "a\nb"), (12, "c")], Some(&first), cells),
            "ID  NAME\n 7  a b\n12  c\n2 tasks; page 1 of 2 (3 tasks); more: --page 2 or --all"
        );
        assert_eq!(
            list.render(&[(7, "a")], None, cells),
            "ID  NAME\n 7  a\n1 task"
        );
        let later = pages::PageInfo::known(3, 2, Some(3), true);
        let empty = |empty, page| ListTable { empty, ..list }.render(&[], page, cells);
        assert_eq!(empty(Empty::Text("no tasks"), Some(&later)), "no tasks");
        assert_eq!(
            empty(Empty::OnPage("none here"), Some(&later)),
            "none here on page 3"
        );
        assert_eq!(
            empty(Empty::Where, Some(&later)),
            "no tasks on page 3 of 2 (3 tasks)"
        );
        for page in [None, Some(&first)] {
            assert_eq!(empty(Empty::OnPage("none here"), page), "none here");
            assert_eq!(empty(Empty::Where, page), "no tasks");
        }
    }

    #[test]
    fn key_values_align() {
        assert_eq!(
            key_values(&[("balance", "1".into()), ("gift", "2".into())]),
            "balance  1\ngift     2"
        );
    }

    #[test]
    fn json_fields_for_people() {
        let text = json_fields(&json!({"expire_at": "2027-01-01 23:59:59", "n": 3, "z": null}));
        assert_eq!(
            text,
            "expire_at  2027-01-01 23:59:59\nn          3\nz          -"
        );
        assert_eq!(json_fields(&json!([])), "(no data)");
    }

    #[test]
    fn times() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_743_506_056_109);
        assert_eq!(rfc3339(at), "2025-04-01T11:14:16.109Z");
        assert_eq!(utc_text(at), "2025-04-01 11:14:16 UTC");
    }
}
