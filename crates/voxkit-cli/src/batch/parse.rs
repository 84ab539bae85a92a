//! Reading a batch file: CSV with a header row, or JSON Lines (`.jsonl`), into rows that are
//! checked in full before anything is sent.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::kinds::{self, Cells, RowKind, RowOp};

/// One valid row of a batch file.
#[derive(Debug, Clone)]
pub struct Row {
    /// The caller's unique id for the row.
    pub key: String,
    /// Its kind (the `operation` column).
    pub kind: &'static RowKind,
    /// The operation and its parameters, checked.
    pub op: Arc<dyn RowOp>,
}

/// A row that cannot be run, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The 1-based line.
    pub line: usize,
    /// Why, in words (never a card code).
    pub why: String,
}

/// Reads every row of `text` (`jsonl`: JSON Lines, else CSV with a header row): the valid
/// rows and the invalid ones, each with its line. Duplicate keys are invalid from the
/// second on.
pub fn parse(text: &str, jsonl: bool) -> Result<(Vec<Row>, Vec<Invalid>), String> {
    let records = if jsonl {
        json_records(text)
    } else {
        csv_records(text)?
    };
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut keys = HashSet::new();
    for (line, record) in records {
        match record.and_then(|fields| row(&fields)) {
            Ok(row) if !keys.insert(row.key.clone()) => invalid.push(Invalid {
                line,
                why: format!("key `{}` is used by an earlier row", row.key),
            }),
            Ok(row) => rows.push(row),
            Err(why) => invalid.push(Invalid { line, why }),
        }
    }
    Ok((rows, invalid))
}

type Fields = BTreeMap<String, String>;

/// The records of a file: each with its 1-based line, its fields or why it cannot be read.
type Records = Vec<(usize, Result<Fields, String>)>;

/// JSON Lines: one object per non-empty line; numbers are taken as their text.
fn json_records(text: &str) -> Records {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let fields = match serde_json::from_str::<serde_json::Value>(l) {
                Ok(serde_json::Value::Object(map)) => Ok(map
                    .into_iter()
                    .filter_map(|(k, v)| match v {
                        serde_json::Value::String(s) => Some((k, s)),
                        serde_json::Value::Null => None,
                        other => Some((k, other.to_string())),
                    })
                    .collect()),
                Ok(_) => Err("not a JSON object".to_owned()),
                Err(e) => Err(format!("not JSON: {e}")),
            };
            (i + 1, fields)
        })
        .collect()
}

/// CSV (RFC 4180: quoted fields with `""`, no newline inside a field) with a header row.
fn csv_records(text: &str) -> Result<Records, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("the file is empty (no header row)")?;
    let names: Vec<String> = split_csv(header)
        .map_err(|e| format!("line 1 (header): {e}"))?
        .into_iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    for required in ["key", "operation"] {
        if !names.iter().any(|n| n == required) {
            return Err(format!("the header row has no `{required}` column"));
        }
    }
    Ok(lines
        .map(|(i, l)| {
            let fields = split_csv(l).and_then(|cells| {
                if cells.len() > names.len() {
                    return Err(format!(
                        "{} cells but the header names {} columns",
                        cells.len(),
                        names.len()
                    ));
                }
                Ok(names
                    .iter()
                    .cloned()
                    .zip(cells)
                    .filter(|(_, v)| !v.is_empty())
                    .collect())
            });
            (i + 1, fields)
        })
        .collect())
}

/// The cells of one CSV line.
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.trim().is_empty() && !was_quoted => {
                cell.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                cells.push(finish(&cell, was_quoted));
                cell.clear();
                was_quoted = false;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted cell is not closed".to_owned());
    }
    cells.push(finish(&cell, was_quoted));
    Ok(cells)
}

/// A cell's value: unquoted cells are trimmed.
fn finish(cell: &str, quoted: bool) -> String {
    if quoted {
        cell.to_owned()
    } else {
        cell.trim().to_owned()
    }
}

/// One row from its fields.
fn row(fields: &Fields) -> Result<Row, String> {
    let cells = Cells(fields);
    let key = cells.get("key")?.to_owned();
    let name = cells.get("operation")?;
    let kind = kinds::kind(name)
        .ok_or_else(|| format!("unknown operation {name:?} ({})", kinds::names()))?;
    Ok(Row {
        key,
        kind,
        op: kind.parse(&cells)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

    #[test]
    fn csv_rows_are_read_with_quotes_and_lines() {
        let text = format!(
            "key,operation,user,amount,remark,from-phone,from-code,to-phone,to-code\n\
             a,longlonglong.recharge,{USER},100,\"order 1, \"\"x\"\"\",,,,\n\
             b,espai.transfer,,5,,15916888888,wNaa1GDw,15916888889,Zq7pLm3x\n\
             c,longlonglong.refund,{USER},1,,,,,\n\
             d,longlonglong.deduct,not-a-uuid,1,,,,,\n\
             a,longlonglong.deduct,{USER},1,,,,,\n"
        );
        let (rows, invalid) = parse(&text, false).unwrap();
        assert_eq!(rows.len(), 2);
        let first = format!("{:?}", rows[0].op);
        assert!(
            first.contains(r#"remark: Some("order 1, \"x\"")"#) && first.contains("amount: 100"),
            "{first}"
        );
        assert_eq!(rows[1].kind.name, "espai.transfer");
        let lines: Vec<usize> = invalid.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![4, 5, 6], "{invalid:?}");
        assert!(invalid[0].why.contains("unknown operation"));
        assert!(invalid[2].why.contains("earlier row"));
        assert!(!format!("{rows:?} {invalid:?}").contains("wNaa1GDw"));
    }

    #[test]
    fn zero_balance_and_destroy_rows_are_read_and_checked() {
        let text = format!(
            "key,operation,user,card-id\n\
             z,longlonglong.zero-balance,{USER},\n\
             d,espai.destroy,,196bd2a26e4d459f9dc7d12053a05c15\n\
             z2,longlonglong.zero-balance,,\n\
             d2,espai.destroy,,\n\
             d3,espai.destroy,,\"a b\"\n"
        );
        let (rows, invalid) = parse(&text, false).unwrap();
        assert_eq!(rows[0].kind.name, "longlonglong.zero-balance");
        assert!(format!("{:?}", rows[0].op).contains(USER));
        assert_eq!(rows[1].kind.name, "espai.destroy");
        assert!(format!("{:?}", rows[1].op).contains("196bd2a26e4d459f9dc7d12053a05c15"));
        let lines: Vec<(usize, &str)> = invalid.iter().map(|i| (i.line, i.why.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (4, "missing `user`"),
                (5, "missing `card-id`"),
                (6, "`card-id` must be an id (at most 128 bytes, no spaces)"),
            ]
        );
    }

    #[test]
    fn jsonl_rows_are_read() {
        let text = format!(
            "{{\"key\":\"a\",\"operation\":\"longlonglong.recharge\",\"user\":\"{USER}\",\"amount\":7}}\n\
             \n{{\"key\":\"b\",\"operation\":\"espai.transfer\",\"amount\":0}}\n"
        );
        let (rows, invalid) = parse(&text, true).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(invalid.len(), 1);
        assert_eq!(invalid[0].line, 3);
    }
}
