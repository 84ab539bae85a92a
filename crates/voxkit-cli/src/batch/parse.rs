//! Reading a batch file: CSV with a header row, or JSON Lines (`.jsonl`), into rows that are
//! checked in full before anything is sent.

use std::collections::{BTreeMap, HashSet};

use voxkit_espai::CardKey;
use voxkit_longlonglong::{Direction, UserId};

/// One valid row of a batch file.
#[derive(Debug, Clone)]
pub struct Row {
    /// The caller's unique id for the row.
    pub key: String,
    /// The operation and its parameters.
    pub op: RowOp,
}

/// Every operation a row may name, as the `operation` column spells it.
pub const OPERATIONS: &[&str] = &[
    "longlonglong.recharge",
    "longlonglong.deduct",
    "longlonglong.zero-balance",
    "espai.transfer",
    "espai.destroy",
];

/// The operations a row may name.
#[derive(Clone)]
pub enum RowOp {
    /// `longlonglong.recharge` / `longlonglong.deduct`.
    Balance {
        /// Which way.
        direction: Direction,
        /// The user.
        user: UserId,
        /// How much.
        amount: u64,
        /// The caller's remark.
        remark: Option<String>,
    },
    /// `longlonglong.zero-balance` (账单余额归零).
    ZeroBalance {
        /// The user whose balance is zeroed.
        user: UserId,
    },
    /// `espai.destroy` (销毁额度卡): one card by its id.
    Destroy {
        /// The card's id (as `espai cards` lists it).
        card_id: String,
    },
    /// `espai.transfer`.
    Transfer {
        /// The source card.
        from: CardKey,
        /// The target card.
        to: CardKey,
        /// How much quota.
        amount: u64,
    },
}

impl std::fmt::Debug for RowOp {
    /// Never the card codes: they are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowOp::Balance {
                direction,
                user,
                amount,
                ..
            } => write!(f, "{direction:?} {amount} for {}", user.as_str()),
            RowOp::Transfer { from, to, amount } => {
                write!(f, "transfer {amount} from {} to {}", from.phone, to.phone)
            }
            RowOp::ZeroBalance { user } => write!(f, "zero the balance of {}", user.as_str()),
            RowOp::Destroy { card_id } => write!(f, "destroy card {card_id}"),
        }
    }
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
    let get = |name: &str| -> Result<&str, String> {
        fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("missing `{name}`"))
    };
    let key = get("key")?.to_owned();
    let amount = || -> Result<u64, String> {
        let text = get("amount")?;
        match text.parse::<u64>() {
            Ok(0) | Err(_) => Err(format!(
                "`amount` must be a positive whole number, not {text:?}"
            )),
            Ok(n) => Ok(n),
        }
    };
    let op = match get("operation")? {
        name @ ("longlonglong.recharge" | "longlonglong.deduct") => {
            let user = UserId::parse(get("user")?)
                .map_err(|_| "`user` is not a longlonglong user id (a UUID)".to_owned())?;
            RowOp::Balance {
                direction: if name.ends_with("recharge") {
                    Direction::Recharge
                } else {
                    Direction::Deduct
                },
                user,
                amount: amount()?,
                remark: fields
                    .get("remark")
                    .cloned()
                    .filter(|r| !r.trim().is_empty()),
            }
        }
        "longlonglong.zero-balance" => RowOp::ZeroBalance {
            user: UserId::parse(get("user")?)
                .map_err(|_| "`user` is not a longlonglong user id (a UUID)".to_owned())?,
        },
        "espai.destroy" => {
            let id = get("card-id")?;
            if id.len() > voxkit_espai::MAX_TOKEN_BYTES
                || id.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(format!(
                    "`card-id` must be a card id (at most {} bytes, no spaces)",
                    voxkit_espai::MAX_TOKEN_BYTES
                ));
            }
            RowOp::Destroy {
                card_id: id.to_owned(),
            }
        }
        "espai.transfer" => {
            let card = |phone: &str, code: &str| -> Result<CardKey, String> {
                let p = get(phone)?;
                if !p.bytes().all(|b| b.is_ascii_digit())
                    || p.len() > voxkit_espai::MAX_PHONE_DIGITS
                {
                    return Err(format!("`{phone}` must be a phone number (digits)"));
                }
                let c = get(code)?;
                if !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(format!("`{code}` must be letters and digits"));
                }
                Ok(CardKey::new(p, c))
            };
            let from = card("from-phone", "from-code")?;
            let to = card("to-phone", "to-code")?;
            if from == to {
                return Err("the source and target cards are the same".to_owned());
            }
            RowOp::Transfer {
                from,
                to,
                amount: amount()?,
            }
        }
        other => {
            return Err(format!(
                "unknown operation {other:?} ({})",
                OPERATIONS.join(", ")
            ));
        }
    };
    Ok(Row { key, op })
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
        match &rows[0].op {
            RowOp::Balance { remark, amount, .. } => {
                assert_eq!(remark.as_deref(), Some("order 1, \"x\""));
                assert_eq!(*amount, 100);
            }
            other => panic!("{other:?}"),
        }
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
        assert!(matches!(&rows[0].op, RowOp::ZeroBalance { user } if user.as_str() == USER));
        assert!(
            matches!(&rows[1].op, RowOp::Destroy { card_id } if card_id == "196bd2a26e4d459f9dc7d12053a05c15")
        );
        let lines: Vec<(usize, &str)> = invalid.iter().map(|i| (i.line, i.why.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (4, "missing `user`"),
                (5, "missing `card-id`"),
                (
                    6,
                    "`card-id` must be a card id (at most 128 bytes, no spaces)"
                ),
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
