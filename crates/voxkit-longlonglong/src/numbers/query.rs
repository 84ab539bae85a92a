//! Reading a task's numbers: the list's filters ([`NumberQuery`]), one page of raw rows
//! ([`NumberPage`]) and how a phone is found in a row whose shape is undocumented
//! ([`row_holds_phone`]).

use chrono::NaiveDateTime;
use serde_json::Value;
use voxkit_core::{Error, Operation, Origin, Page};

use super::NumberStatus;
use crate::dates;
use crate::envelope::Meta;
use crate::ids::SubUserId;
use crate::listing::{paged_query, paging, setters, with_sub};

/// Filters of the number list (号码列表). `page` is required by the API: 1 unless set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    encryption: Option<bool>,
    sub_user: Option<SubUserId>,
    status: Vec<NumberStatus>,
    created: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl NumberQuery {
    /// No filter, page 1.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `encryption`.
        fn encryption(encryption: bool);
        /// `sub_user_id`.
        fn sub_user(sub_user: SubUserId);
    }

    /// Adds a `status[]` filter.
    pub fn status(mut self, status: NumberStatus) -> Self {
        self.status.push(status);
        self
    }

    /// `start_at` / `end_at`: created in this window.
    pub fn created_between(mut self, start: NaiveDateTime, end: NaiveDateTime) -> Self {
        self.created = Some((start, end));
        self
    }

    pub(super) fn apply(&self, origin: Origin, mut op: Operation) -> Result<Operation, Error> {
        // The page is always sent, 1 when none is asked for.
        op = paging(op, origin, Some(self.page.unwrap_or(1)), self.per_page)?;
        if let Some(e) = self.encryption {
            op = op.query("encryption", e.to_string());
        }
        op = with_sub(op, self.sub_user.as_ref());
        for s in &self.status {
            op = op.query("status[]", s.code().to_string());
        }
        if let Some((start, end)) = self.created {
            if end < start {
                return Err(Error::invalid_input(origin, "end_at is before start_at"));
            }
            let f = dates::DATETIME_FORMAT;
            op = op
                .query("start_at", start.format(f).to_string())
                .query("end_at", end.format(f).to_string());
        }
        Ok(op)
    }
}

/// One page of a task's numbers: the rows **as sent** (the answer is not documented, so no
/// field is assumed) and the paginator if any.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NumberPage {
    /// The envelope's `message`.
    pub message: String,
    /// The rows, as sent.
    pub items: Vec<Value>,
    /// The paginator, if sent.
    pub meta: Option<Meta>,
}

impl NumberPage {
    /// This page as core's [`Page`].
    pub fn into_page(self) -> Page<Value> {
        Meta::page(self.meta, self.items, true)
    }
}

/// Whether a raw number row holds `phone` as one of its values (no field name assumed:
/// the row's shape is undocumented).
pub fn row_holds_phone(row: &Value, phone: &str) -> bool {
    match row {
        Value::Object(map) => map.values().any(|v| match v {
            Value::String(s) => s.trim() == phone,
            Value::Number(n) => n.to_string() == phone,
            _ => false,
        }),
        _ => false,
    }
}

paged_query! {
    NumberQuery;
    /// `page`, from 1.
    page;
    /// `per_page` (default 15).
    per_page;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_are_matched_by_value_not_by_field_name() {
        assert!(row_holds_phone(&json!({"x": "138", "y": 1}), "138"));
        assert!(row_holds_phone(&json!({"mobile": 138}), "138"));
        assert!(!row_holds_phone(&json!({"x": "1380"}), "138"));
    }
}
