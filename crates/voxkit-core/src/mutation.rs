//! Test building blocks shared by the provider crates (feature `test-util`): for the
//! decoder property tests, JSON documents, structural edits of the documentation's
//! examples, byte edits and one configuration (each provider supplies its own examples and
//! `tricky` strings).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::Value;

/// Cases per property.
pub const CASES: u32 = 256;

/// The configuration every decoder property uses: [`CASES`] cases (or `PROPTEST_CASES`), a
/// fixed seed unless `PROPTEST_RNG_SEED` is set (reproducible runs), no failure files.
pub fn config() -> Config {
    let defaults = Config::default();
    let mut config = Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            defaults.cases
        } else {
            CASES
        },
        failure_persistence: None,
        ..defaults
    };
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x766f_786b_6974);
    }
    config
}

/// A JSON scalar: null, booleans, integers at the extremes, finite floats, short strings,
/// and the caller's `tricky` strings (numbers as text, dates, ids the decoders parse).
pub fn scalar(tricky: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "\\PC{0,16}".prop_map(Value::String),
        prop::sample::select(tricky).prop_map(|s| Value::String(s.to_owned())),
    ]
}

/// Any JSON document up to 3 levels deep, its leaves from [`scalar`].
pub fn json(tricky: &'static [&'static str]) -> impl Strategy<Value = Value> {
    scalar(tricky).prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,10}", inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// One edit of a JSON document, at the node numbered `.0` (pre-order, modulo the count).
#[derive(Debug, Clone)]
pub enum Edit {
    /// Replace the node.
    Replace(Value),
    /// Remove the node from its parent.
    Remove,
    /// Insert a field (into an object), an item (into an array), or replace a scalar.
    Insert(String, Value),
}

/// One to four [`Edit`]s, each at a node index taken modulo the document's node count.
pub fn edits(tricky: &'static [&'static str]) -> impl Strategy<Value = Vec<(usize, Edit)>> {
    let edit = prop_oneof![
        json(tricky).prop_map(Edit::Replace),
        Just(Edit::Remove),
        ("[a-z_]{1,10}", json(tricky)).prop_map(|(k, v)| Edit::Insert(k, v)),
    ];
    prop::collection::vec((any::<usize>(), edit), 1..5)
}

/// JSON pointers to every node of `value`, in pre-order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            out.push(at.clone());
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            out.push(at.clone());
            for (key, item) in fields {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => out.push(at),
    }
}

/// Applies `edit` at the node numbered `at` (pre-order, modulo the node count).
pub fn apply(doc: &mut Value, at: usize, edit: Edit) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let pointer = all[at % all.len()].clone();
    match edit {
        Edit::Replace(value) => {
            if let Some(node) = doc.pointer_mut(&pointer) {
                *node = value;
            }
        }
        Edit::Insert(key, value) => match doc.pointer_mut(&pointer) {
            Some(Value::Object(fields)) => {
                fields.insert(key, value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(node) => *node = value,
            None => {}
        },
        Edit::Remove => {
            let Some((parent, last)) = pointer.rsplit_once('/') else {
                *doc = Value::Null;
                return;
            };
            let key = last.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent) {
                Some(Value::Object(fields)) => {
                    fields.remove(&key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// One byte-level edit of a serialized document.
#[derive(Debug, Clone)]
pub enum ByteEdit {
    /// Cut the bytes at this index (modulo the length + 1).
    Truncate(usize),
    /// Overwrite the byte at this index (modulo the length).
    Overwrite(usize, u8),
    /// Insert a byte at this index (modulo the length + 1).
    Insert(usize, u8),
}

/// One to five [`ByteEdit`]s.
pub fn byte_edits() -> impl Strategy<Value = Vec<ByteEdit>> {
    let edit = prop_oneof![
        any::<usize>().prop_map(ByteEdit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Overwrite(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
    ];
    prop::collection::vec(edit, 1..6)
}

/// Applies one byte edit.
pub fn apply_bytes(bytes: &mut Vec<u8>, edit: ByteEdit) {
    let len = bytes.len();
    match edit {
        ByteEdit::Truncate(i) => bytes.truncate(i % (len + 1)),
        ByteEdit::Overwrite(i, b) if len > 0 => bytes[i % len] = b,
        ByteEdit::Overwrite(..) => {}
        ByteEdit::Insert(i, b) => bytes.insert(i % (len + 1), b),
    }
}

/// One of `examples` (JSON texts), parsed.
pub fn example(examples: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::sample::select(examples)
        .prop_map(|text| serde_json::from_str(text).expect("the examples are JSON"))
}
