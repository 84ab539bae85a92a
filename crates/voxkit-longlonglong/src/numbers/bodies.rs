//! The bodies of the number group's writes: an import's rows ([`NumberRow`],
//! [`NumberImport`]), a deletion ([`NumberDeletion`]) and a reset ([`NumberReset`]), with
//! the checks made before any is sent.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Value, json};
use voxkit_core::{Error, Origin, check};

use super::NumberStatus;
use crate::dates;
use crate::ids::SubUserId;
use crate::listing::setters;
use crate::sub_accounts::Sex;

/// One row of an import (`data[]`): `phone` (是) and the optional customer fields of the
/// tables (the sync table is truncated after `company`; the async table lists the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    industry_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grade_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    control_select_robot: Option<String>,
}

impl NumberRow {
    /// A row with this phone (text: the API asks for strings; it may be encrypted when
    /// `encryption` is on).
    pub fn new(phone: impl Into<String>) -> Self {
        NumberRow {
            name: None,
            phone: phone.into(),
            email: None,
            company: None,
            sex: None,
            sort: None,
            source_id: None,
            industry_id: None,
            grade_id: None,
            components: Vec::new(),
            extra: None,
            control_select_robot: None,
        }
    }

    /// The phone.
    pub fn phone(&self) -> &str {
        &self.phone
    }

    setters! {
        /// `name`: the customer's name.
        fn name(name: impl Into<String>).into();
        /// `email`.
        fn email(email: impl Into<String>).into();
        /// `company`.
        fn company(company: impl Into<String>).into();
        /// `sex` (0 未知, 1 男, 2 女).
        fn sex(sex: Sex);
        /// `sort`.
        fn sort(sort: i64);
    }

    /// `source_id`, `industry_id`, `grade_id`: the CRM classifications.
    pub fn classification(mut self, source: u64, industry: u64, grade: u64) -> Self {
        (self.source_id, self.industry_id, self.grade_id) =
            (Some(source), Some(industry), Some(grade));
        self
    }

    /// Adds a `components[]` entry (`{"id": .., ...}` of a CRM component; only read when
    /// `ignore_crm` is false). Kept as JSON: its shape is not documented.
    pub fn component(mut self, component: Value) -> Self {
        self.components.push(component);
        self
    }

    setters! {
        /// `extra`: 第三方标识, your own id for the row (echoed by the callbacks).
        fn extra(extra: impl Into<String>).into();
        /// `control_select_robot`: AI 对话标识, picks the script group by variable value.
        fn control_select_robot(control_select_robot: impl Into<String>).into();
    }
}

/// An import of numbers into a task (批量添加号码, sync or async): the rows and the switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberImport {
    #[serde(skip_serializing_if = "Option::is_none")]
    ignore_crm: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_error: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) number_add_suffix: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sub_user_id: Option<SubUserId>,
    data: Vec<NumberRow>,
}

impl NumberImport {
    /// These rows, with the server's defaults (into the CRM pool, stop at the first error,
    /// no suffix, not encrypted).
    pub fn new(rows: Vec<NumberRow>) -> Self {
        NumberImport {
            ignore_crm: None,
            skip_error: None,
            number_add_suffix: None,
            encryption: None,
            sub_user_id: None,
            data: rows,
        }
    }

    /// The rows.
    pub fn rows(&self) -> &[NumberRow] {
        &self.data
    }

    setters! {
        /// `ignore_crm`: true keeps the numbers out of the CRM pool (公海).
        fn ignore_crm(ignore_crm: bool);
        /// `skip_error` (sync import only): true skips bad numbers, false stops and answers
        /// the error.
        fn skip_error(skip_error: bool);
        /// `number_add_suffix`: appends `_` and random characters so a repeated number is
        /// accepted.
        fn number_add_suffix(number_add_suffix: bool);
        /// `encryption`: the numbers are encrypted (with the API's encryption on).
        fn encryption(encryption: bool);
        /// `sub_user_id`: import for a sub-account.
        fn sub_user(sub_user_id: SubUserId);
    }

    /// The local checks: 1 to `max` rows, each phone non-empty without spaces, no phone
    /// twice unless suffixes are on (the server refuses duplicates by default).
    pub(super) fn check(&self, origin: Origin, max: usize) -> Result<(), Error> {
        check::range(origin, "data", self.data.len() as u64, 1, max as u64)?;
        check_phones(
            origin,
            "data[].phone",
            self.data.iter().map(|r| r.phone.as_str()),
        )?;
        if self.number_add_suffix != Some(true) {
            let phones: Vec<&str> = self.data.iter().map(|r| r.phone.as_str()).collect();
            check::unique(origin, "data[].phone", &phones)?;
        }
        Ok(())
    }
}

/// Each phone non-empty, without spaces, at most 128 characters.
pub(super) fn check_phones<'a>(
    origin: Origin,
    what: &str,
    phones: impl Iterator<Item = &'a str>,
) -> Result<(), Error> {
    for phone in phones {
        check::token(origin, what, phone, 128)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct PhoneOnly<'a> {
    phone: &'a str,
}

/// A deletion of numbers (批量删除号码): `customer_info_list` of phones, `encryption`,
/// `sub_user_id`. A 2.0 task must be paused first (else `6007`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberDeletion {
    phones: Vec<String>,
    encryption: Option<bool>,
    pub(super) sub_user: Option<SubUserId>,
}

impl NumberDeletion {
    /// Delete these phones.
    pub fn new<P: Into<String>>(phones: impl IntoIterator<Item = P>) -> Self {
        NumberDeletion {
            phones: phones.into_iter().map(Into::into).collect(),
            encryption: None,
            sub_user: None,
        }
    }

    /// The phones.
    pub fn phones(&self) -> &[String] {
        &self.phones
    }

    setters! {
        /// `encryption`.
        fn encryption(encryption: bool);
        /// `sub_user_id`.
        fn sub_user(sub_user: SubUserId);
    }

    pub(super) fn body(&self) -> Value {
        let mut body = json!({
            "customer_info_list": self.phones.iter().map(|p| PhoneOnly { phone: p }).collect::<Vec<_>>(),
        });
        if let Some(e) = self.encryption {
            body["encryption"] = json!(e);
        }
        if let Some(sub) = &self.sub_user {
            body["sub_user_id"] = json!(sub.as_str());
        }
        body
    }
}

/// A reset of numbers for re-dial (批量重置号码状态): which numbers (`keyword`, `phones`,
/// creation window `start_at`/`end_at`, current `status`), `encryption`, `sub_user_id`.
/// At least one selector is required: a reset of every number is refused before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NumberReset {
    #[serde(skip_serializing_if = "Option::is_none")]
    keyword: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "dates::ser_opt"
    )]
    start_at: Option<NaiveDateTime>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "dates::ser_opt"
    )]
    end_at: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status: Vec<NumberStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<SubUserId>,
}

impl NumberReset {
    /// No selector yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `keyword`: a number to match.
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keyword = Some(keyword.into());
        self
    }

    /// `phones`: the numbers to re-dial.
    pub fn phones<P: Into<String>>(mut self, phones: impl IntoIterator<Item = P>) -> Self {
        self.phones.extend(phones.into_iter().map(Into::into));
        self
    }

    /// `start_at` and `end_at` (creation time; the docs require them together).
    pub fn created_between(mut self, start: NaiveDateTime, end: NaiveDateTime) -> Self {
        (self.start_at, self.end_at) = (Some(start), Some(end));
        self
    }

    /// `status`: the numbers currently in these statuses.
    pub fn status(mut self, status: impl IntoIterator<Item = NumberStatus>) -> Self {
        self.status.extend(status);
        self
    }

    setters! {
        /// `encryption`.
        fn encryption(encryption: bool);
        /// `sub_user_id`.
        fn sub_user(sub_user_id: SubUserId);
    }

    pub(super) fn check(&self, origin: Origin) -> Result<(), Error> {
        if self.keyword.is_none()
            && self.phones.is_empty()
            && self.start_at.is_none()
            && self.status.is_empty()
        {
            return Err(Error::invalid_input(
                origin,
                "say which numbers to reset (keyword, phones, creation window or status)",
            ));
        }
        check_phones(origin, "phones", self.phones.iter().map(String::as_str))?;
        if let (Some(start), Some(end)) = (self.start_at, self.end_at)
            && end < start
        {
            return Err(Error::invalid_input(origin, "end_at is before start_at"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ADD_NUMBERS, MAX_ASYNC_NUMBERS, MAX_SYNC_NUMBERS, RESET_NUMBERS};
    use super::*;

    #[test]
    fn imports_are_limited_before_sending() {
        let o = ADD_NUMBERS.origin();
        let rows = |n: usize| {
            (0..n)
                .map(|i| NumberRow::new(format!("1380000{i:04}")))
                .collect()
        };
        assert!(
            NumberImport::new(rows(100))
                .check(o, MAX_SYNC_NUMBERS)
                .is_ok()
        );
        assert!(
            NumberImport::new(rows(101))
                .check(o, MAX_SYNC_NUMBERS)
                .is_err()
        );
        assert!(
            NumberImport::new(rows(200))
                .check(o, MAX_ASYNC_NUMBERS)
                .is_ok()
        );
        assert!(
            NumberImport::new(rows(201))
                .check(o, MAX_ASYNC_NUMBERS)
                .is_err()
        );
        assert!(
            NumberImport::new(vec![])
                .check(o, MAX_SYNC_NUMBERS)
                .is_err()
        );
        let twice = vec![NumberRow::new("1"), NumberRow::new("1")];
        assert!(NumberImport::new(twice.clone()).check(o, 100).is_err());
        assert!(
            NumberImport::new(twice)
                .number_add_suffix(true)
                .check(o, 100)
                .is_ok()
        );
    }

    #[test]
    fn a_reset_must_select_something() {
        let o = RESET_NUMBERS.origin();
        assert!(NumberReset::new().check(o).is_err());
        assert!(NumberReset::new().phones(["1"]).check(o).is_ok());
    }
}
