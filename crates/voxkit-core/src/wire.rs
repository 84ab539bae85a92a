//! One envelope decoder, parameterised by each provider.
//!
//! # Why
//!
//! Every provider wraps its answers in an envelope — longlonglong
//! `{code: 200, status, message, data, meta}`, Laaffic `{status: "0", reason, ...}` or
//! `{code: "0", msg, data}`, ESP-AI `{success: true, message, code, data, totalNumber}` —
//! and each crate decoded it its own way: one pass with a fallback, two passes, a trait on
//! every payload type. The rules that matter for money are the same everywhere: an
//! error envelope is an [`Error::Api`] (whatever the HTTP status, since the providers send
//! their errors with HTTP 200), anything that is not the envelope is an [`Error::Decode`]
//! (which the client turns into `OutcomeUnknown` for a non-repeatable operation), and no
//! credential a server echoed survives into either. So the mechanism is here once, and a
//! provider only describes its envelope ([`EnvelopeFormat`]): the success test, the
//! fields holding the code and the message, and where the payload is.
//!
//! It is fast on the path that matters: a success is decoded in **one pass** over the
//! body, the payload deserialised straight from the bytes beside the head fields (no
//! intermediate `serde_json::Value`, which would copy a 2 MB card list). Only when that
//! pass fails — an error envelope whose `data` has another shape, or no envelope at all —
//! is the body read a second time, for the head alone, to tell the two apart.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::{Error, Origin, excerpt};
use crate::lenient::Text;
use crate::redact::scrub;
use crate::transport::HttpResponse;

/// The most field names [`EnvelopeFormat::code`] and [`EnvelopeFormat::message`] may
/// list (checked when the format is built).
pub const MAX_HEAD_NAMES: usize = 3;

/// How an envelope says it succeeded.
#[derive(Clone, Copy)]
pub enum Success {
    /// A boolean field (ESP-AI's `success`). Anything but a JSON boolean there is not the
    /// envelope.
    Flag(&'static str),
    /// The code (the first present of [`EnvelopeFormat::code`], as text) passes this test
    /// (longlonglong: `== "200"`; Laaffic: an integer equal to 0).
    Code(fn(&str) -> bool),
}

impl fmt::Debug for Success {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Success::Flag(name) => f.debug_tuple("Flag").field(name).finish(),
            Success::Code(_) => f.write_str("Code(..)"),
        }
    }
}

/// Where the payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadAt {
    /// The value of one field (`"data"`): the payload type is that value's type
    /// (`Vec<Record>`, `IgnoredAny`). An absent field decodes as `null`, so it is accepted
    /// only where the payload type accepts `null` (an `Option`, `IgnoredAny`).
    Field(&'static str),
    /// The envelope's other fields: the payload type is a struct read from the same
    /// object with the head fields taken out (Laaffic's balance at top level;
    /// `{data, meta}`; `{data, totalNumber}`).
    Rest,
}

/// A provider's envelope, described: see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeFormat {
    /// The success test.
    pub success: Success,
    /// The fields that may hold the code, the first present winning (Laaffic:
    /// `["status", "code"]`). A number or a string, kept as text.
    pub code: &'static [&'static str],
    /// The fields that may hold the message, the first present winning.
    pub message: &'static [&'static str],
    /// Where the payload is.
    pub payload: PayloadAt,
}

/// A decoded success: the payload, and the head's code and message as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<T> {
    /// The payload.
    pub payload: T,
    /// The code, if the envelope had one.
    pub code: Option<String>,
    /// The message, if the envelope had one.
    pub message: Option<String>,
}

impl EnvelopeFormat {
    /// A checked format (meant for a `const`: a bad one is a compile error).
    pub const fn new(
        success: Success,
        code: &'static [&'static str],
        message: &'static [&'static str],
        payload: PayloadAt,
    ) -> Self {
        assert!(
            code.len() <= MAX_HEAD_NAMES && message.len() <= MAX_HEAD_NAMES,
            "too many head field names"
        );
        if let Success::Code(_) = success {
            assert!(!code.is_empty(), "a code success test needs a code field");
        }
        EnvelopeFormat {
            success,
            code,
            message,
            payload,
        }
    }

    /// The same envelope with the payload somewhere else (one operation of a provider
    /// whose payload is not where the others' is).
    pub const fn with_payload(mut self, payload: PayloadAt) -> Self {
        self.payload = payload;
        self
    }

    /// Decodes `response`'s body (whatever its HTTP status).
    ///
    /// - a success envelope: its payload as `T`, and its code and message;
    /// - an error envelope: [`Error::Api`] with its code and message;
    /// - anything else (not JSON, not an object, no success field, a success whose
    ///   payload is not a `T`): [`Error::Decode`] with a short excerpt.
    ///
    /// Every error is scrubbed of `secrets` by core's redaction before it is returned
    /// (the client scrubs again; the second pass finds nothing and costs only on errors).
    pub fn decode<T: DeserializeOwned>(
        &self,
        origin: Origin,
        response: &HttpResponse,
        secrets: &[&str],
    ) -> Result<Decoded<T>, Error> {
        self.decode_bytes(origin, &response.body, secrets)
    }

    /// [`EnvelopeFormat::decode`] on raw bytes (fuzz targets, property tests).
    pub fn decode_bytes<T: DeserializeOwned>(
        &self,
        origin: Origin,
        body: &[u8],
        secrets: &[&str],
    ) -> Result<Decoded<T>, Error> {
        self.decode_unscrubbed(origin, body)
            .map_err(|e| scrub(e, body, secrets))
    }

    fn decode_unscrubbed<T: DeserializeOwned>(
        &self,
        origin: Origin,
        body: &[u8],
    ) -> Result<Decoded<T>, Error> {
        let decode_error = |message: String| Error::Decode {
            origin,
            message,
            excerpt: excerpt(body, &[]),
        };
        let mut head = Head::default();
        let first = parse(
            body,
            OnePass::<T> {
                format: self,
                head: &mut head,
                with_payload: true,
                _payload: PhantomData,
            },
        );
        match first {
            Ok(payload) => {
                if !self.succeeded(&head).map_err(decode_error)? {
                    return Err(self.api_error(origin, head));
                }
                let payload = match payload {
                    Some(payload) => payload,
                    // `PayloadAt::Field` and the field absent: as if it were `null`.
                    None => T::deserialize(serde_json::Value::Null)
                        .map_err(|e| decode_error(format!("the answer has no payload: {e}")))?,
                };
                Ok(Decoded {
                    payload,
                    code: self.code_of(&mut head),
                    message: self.message_of(&mut head),
                })
            }
            Err(full) => {
                // Not an envelope with a `T` in it: an error envelope whose payload is
                // something else, or no envelope at all. The head alone tells which.
                let mut head = Head::default();
                parse(
                    body,
                    OnePass::<IgnoredAny> {
                        format: self,
                        head: &mut head,
                        with_payload: false,
                        _payload: PhantomData,
                    },
                )
                .map_err(|e| decode_error(format!("not the API's envelope: {e}")))?;
                if self.succeeded(&head).map_err(decode_error)? {
                    Err(decode_error(format!("unexpected payload: {full}")))
                } else {
                    Err(self.api_error(origin, head))
                }
            }
        }
    }

    /// Whether the head says success; `Err` when it cannot say (the field is missing).
    fn succeeded(&self, head: &Head) -> Result<bool, String> {
        match self.success {
            Success::Flag(name) => head
                .flag
                .ok_or_else(|| format!("the envelope has no boolean `{name}`")),
            Success::Code(test) => match head.codes.iter().flatten().next() {
                Some(code) => Ok(test(code)),
                None => Err(format!(
                    "the envelope has no {}",
                    self.code
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )),
            },
        }
    }

    fn code_of(&self, head: &mut Head) -> Option<String> {
        head.codes.iter_mut().find_map(Option::take)
    }

    fn message_of(&self, head: &mut Head) -> Option<String> {
        head.messages.iter_mut().find_map(Option::take)
    }

    fn api_error(&self, origin: Origin, mut head: Head) -> Error {
        let code = self.code_of(&mut head);
        let message = self.message_of(&mut head).unwrap_or_default();
        Error::api(origin, code, message)
    }
}

/// The head fields read so far, each name's first value.
#[derive(Default)]
struct Head {
    codes: [Option<String>; MAX_HEAD_NAMES],
    messages: [Option<String>; MAX_HEAD_NAMES],
    flag: Option<bool>,
}

/// Which head field a key is.
enum HeadField {
    Code(usize),
    Message(usize),
    Flag,
}

impl EnvelopeFormat {
    fn head_field(&self, key: &str) -> Option<HeadField> {
        if let Some(i) = self.code.iter().position(|c| *c == key) {
            return Some(HeadField::Code(i));
        }
        if let Some(i) = self.message.iter().position(|m| *m == key) {
            return Some(HeadField::Message(i));
        }
        match self.success {
            Success::Flag(name) if name == key => Some(HeadField::Flag),
            _ => None,
        }
    }
}

/// Reads one head field's value into `head` (the first value of a name wins).
fn read_head<'de, A: MapAccess<'de>>(
    map: &mut A,
    head: &mut Head,
    field: HeadField,
) -> Result<(), A::Error> {
    match field {
        HeadField::Code(i) => {
            let value = map.next_value::<Option<Text>>()?;
            if head.codes[i].is_none() {
                head.codes[i] = value.map(|t| t.0);
            }
        }
        HeadField::Message(i) => {
            let value = map.next_value::<Option<Text>>()?;
            if head.messages[i].is_none() {
                head.messages[i] = value.map(|t| t.0);
            }
        }
        HeadField::Flag => {
            let value = map.next_value::<bool>()?;
            head.flag.get_or_insert(value);
        }
    }
    Ok(())
}

fn parse<'de, S: DeserializeSeed<'de>>(
    body: &'de [u8],
    seed: S,
) -> Result<S::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// An object key, borrowed from the body when it holds no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The one pass: the envelope object, head fields into `head`, the payload (when
/// `with_payload`) as `T`. `None` when the payload is a field that is absent.
struct OnePass<'h, T> {
    format: &'h EnvelopeFormat,
    head: &'h mut Head,
    with_payload: bool,
    _payload: PhantomData<fn() -> T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for OnePass<'_, T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OnePass<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the API's envelope, a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let OnePass {
            format,
            head,
            with_payload,
            ..
        } = self;
        if with_payload && format.payload == PayloadAt::Rest {
            // The payload reads the object's other fields; the head fields are taken out
            // on the way.
            return T::deserialize(Rest { map, format, head }).map(Some);
        }
        let mut payload = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if let Some(field) = format.head_field(&key) {
                read_head(&mut map, head, field)?;
            } else if matches!(format.payload, PayloadAt::Field(name) if with_payload && name == key && payload.is_none())
            {
                payload = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(payload)
    }
}

/// The envelope object seen by a [`PayloadAt::Rest`] payload: the same map, with the head
/// fields read into `head` and hidden.
struct Rest<'h, A> {
    map: A,
    format: &'h EnvelopeFormat,
    head: &'h mut Head,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Rest<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Rest<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(Key(key)) = self.map.next_key::<Key<'de>>()? {
            if let Some(field) = self.format.head_field(&key) {
                read_head(&mut self.map, self.head, field)?;
                continue;
            }
            return match key {
                Cow::Borrowed(key) => seed
                    .deserialize(de::value::BorrowedStrDeserializer::new(key))
                    .map(Some),
                Cow::Owned(key) => seed
                    .deserialize(de::value::StringDeserializer::new(key))
                    .map(Some),
            };
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Standard base64 with padding (RFC 4648 section 4), the form Laaffic's upload takes a
/// file in; the `base64` crate, not a hand-written encoder.
pub fn base64_encode(bytes: &[u8]) -> String {
    use ::base64::Engine as _;
    ::base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes a pushed body that is one object or an array of them (the providers' push
/// notifications: Laaffic's voice reports and AI call records, longlonglong's callbacks
/// send either), as a list. Each provider's push type wrote this out itself.
pub fn one_or_many<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_slice(body)?;
    match value {
        serde_json::Value::Array(_) => serde_json::from_value(value),
        _ => serde_json::from_value::<T>(value).map(|one| vec![one]),
    }
}

#[cfg(test)]
mod tests {
    //! The three providers' documented envelopes, copied from their pages (see
    //! `shared/provider-docs`), through the one mechanism.

    use super::*;
    use serde::Deserialize;

    const O: Origin = Origin::new("test", "op");

    const LONGLONGLONG: EnvelopeFormat = EnvelopeFormat::new(
        Success::Code(|c| c == "200"),
        &["code"],
        &["message"],
        PayloadAt::Field("data"),
    );
    const LAAFFIC: EnvelopeFormat = EnvelopeFormat::new(
        Success::Code(|c| c.parse::<i64>() == Ok(0)),
        &["status", "code"],
        &["reason", "msg"],
        PayloadAt::Field("data"),
    );
    const ESPAI: EnvelopeFormat = EnvelopeFormat::new(
        Success::Flag("success"),
        &["code"],
        &["message"],
        PayloadAt::Field("data"),
    );

    #[derive(Debug, Deserialize, PartialEq)]
    struct Record {
        id: u64,
        #[serde(deserialize_with = "crate::lenient::u64")]
        amounts: u64,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Meta {
        #[serde(deserialize_with = "crate::lenient::u64")]
        total: u64,
        #[serde(deserialize_with = "crate::lenient::u64")]
        per_page: u64,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct WithMeta {
        data: Vec<Record>,
        meta: Option<Meta>,
    }

    fn lll<T: DeserializeOwned>(body: &str) -> Result<Decoded<T>, Error> {
        LONGLONGLONG.decode_bytes(O, body.as_bytes(), &["SECRET-TOKEN"])
    }

    #[test]
    fn longlonglong_envelopes() {
        // 外呼充值: success, `data: []`.
        let ok = lll::<IgnoredAny>(
            r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#,
        )
        .unwrap();
        assert_eq!(ok.message.as_deref(), Some("AI外呼充值操作成功"));
        assert_eq!(ok.code.as_deref(), Some("200"));
        // 充值记录 with its paginator, `per_page` as a string.
        let page = LONGLONGLONG
            .with_payload(PayloadAt::Rest)
            .decode_bytes::<WithMeta>(
                O,
                br#"{"code":200,"status":"success","message":"ok","data":[{"id":137,"amounts":"100"}],
                    "meta":{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":"1"}}"#,
                &[],
            )
            .unwrap();
        assert_eq!(
            page.payload.data,
            vec![Record {
                id: 137,
                amounts: 100
            }]
        );
        assert_eq!(page.payload.meta.unwrap().per_page, 1);
        // The documented error, with HTTP 200 and `data: []` where a record was expected.
        let err = lll::<Record>(
            r#"{"code":10004,"status":"error","message":"用户未开通账单权限","data":[]}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Api { code: Some(c), message, .. } if c == "10004" && message == "用户未开通账单权限"),
            "{err:?}"
        );
        // The same error whose `data` happens to fit.
        let err =
            lll::<IgnoredAny>(r#"{"code":"422","message":"到期时间最少设置一天"}"#).unwrap_err();
        assert_eq!(err.api_code(), Some("422"));
        // A success without `data`: accepted only where the payload accepts null.
        assert!(
            lll::<Option<Record>>(r#"{"code":200}"#)
                .unwrap()
                .payload
                .is_none()
        );
        assert!(matches!(
            lll::<Record>(r#"{"code":200}"#),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn laaffic_envelopes_of_both_families() {
        #[derive(Debug, Deserialize)]
        struct Balance {
            #[serde(deserialize_with = "crate::lenient::opt_decimal")]
            balance: Option<rust_decimal::Decimal>,
        }
        // Family A, the payload at top level.
        let ok = LAAFFIC
            .with_payload(PayloadAt::Rest)
            .decode_bytes::<Balance>(
                O,
                br#"{"status":"0","reason":"success","balance":"-0.0100","gift":"0","credit":"0"}"#,
                &[],
            )
            .unwrap();
        assert_eq!(ok.payload.balance.unwrap().to_string(), "-0.0100");
        assert_eq!(ok.message.as_deref(), Some("success"));
        // Family B, `{code, msg, data}`.
        let ok = LAAFFIC
            .decode_bytes::<String>(
                O,
                br#"{"code":0,"msg":"success","data":"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"}"#,
                &[],
            )
            .unwrap();
        assert!(ok.payload.ends_with(".mp3"));
        // Both names present: `status` and `reason` win.
        let err = LAAFFIC
            .decode_bytes::<IgnoredAny>(
                O,
                br#"{"code":"0","msg":"ok","status":"-16","reason":"timestamp expired"}"#,
                &[],
            )
            .unwrap_err();
        assert!(
            matches!(&err, Error::Api { code: Some(c), message, .. } if c == "-16" && message == "timestamp expired")
        );
        // Family A error at top level, the payload struct refusing the missing fields.
        let err = LAAFFIC
            .with_payload(PayloadAt::Rest)
            .decode_bytes::<Balance>(O, br#"{"status":"-1","reason":"auth error"}"#, &[])
            .unwrap_err();
        assert_eq!(err.api_code(), Some("-1"));
        // Neither `status` nor `code`.
        let err = LAAFFIC
            .decode_bytes::<IgnoredAny>(O, br#"{"reason":"?"}"#, &[])
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode { message, .. } if message.contains("`status` or `code`")),
            "{err:?}"
        );
    }

    #[test]
    fn espai_envelopes() {
        #[derive(Debug, Deserialize)]
        struct List {
            #[serde(deserialize_with = "crate::lenient::null_as_empty")]
            data: Vec<serde_json::Value>,
            #[serde(
                rename = "totalNumber",
                default,
                deserialize_with = "crate::lenient::opt_u64"
            )]
            total: Option<u64>,
        }
        let ok = ESPAI
            .with_payload(PayloadAt::Rest)
            .decode_bytes::<List>(
                O,
                br#"{"success":true,"message":"ok","data":[{"id":"a"},{"id":"b"}],"totalNumber":"2"}"#,
                &[],
            )
            .unwrap();
        assert_eq!((ok.payload.data.len(), ok.payload.total), (2, Some(2)));
        for (body, code, message) in [
            (
                r#"{"success":false,"message":"系统错误：xxx","code":500}"#,
                Some("500"),
                "系统错误：xxx",
            ),
            (
                r#"{ "success": false, "message": "缺失参数：commodity_id", "code": 401 }"#,
                Some("401"),
                "缺失参数：commodity_id",
            ),
            (
                r#"{ "success": false, "message": "额度卡不存在" }"#,
                None,
                "额度卡不存在",
            ),
            (r#"{"success":false}"#, None, ""),
        ] {
            let err = ESPAI
                .decode_bytes::<String>(O, body.as_bytes(), &[])
                .unwrap_err();
            assert_eq!(err.api_code(), code, "{body}");
            assert!(
                matches!(&err, Error::Api { message: m, .. } if m == message),
                "{body}"
            );
        }
        for body in [
            "",
            "<html>502</html>",
            r#"{"message":"no success"}"#,
            r#"{"success":"true"}"#,
            r#"{"success":null}"#,
            "[1,2]",
            "null",
            r#"{"success":true,"data":"x"} trailing"#,
        ] {
            let err = ESPAI
                .decode_bytes::<IgnoredAny>(O, body.as_bytes(), &[])
                .unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
    }

    #[test]
    fn echoed_secrets_are_scrubbed_from_every_error() {
        let err =
            lll::<IgnoredAny>(r#"{"code":401,"message":"bad token SECRET-TOKEN"}"#).unwrap_err();
        assert!(
            !format!("{err} {err:?}").contains("SECRET-TOKEN"),
            "{err:?}"
        );
        let err = lll::<Record>(r#"{"code":200,"data":{"id":"SECRET-TOKEN"}}"#).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        assert!(
            !format!("{err} {err:?}").contains("SECRET-TOKEN"),
            "{err:?}"
        );
        let err = lll::<IgnoredAny>("<html>SECRET-TOKEN</html>").unwrap_err();
        assert!(
            !format!("{err} {err:?}").contains("SECRET-TOKEN"),
            "{err:?}"
        );
    }

    #[test]
    fn base64_is_the_standard_alphabet_with_padding() {
        assert_eq!(
            base64_encode(b"SENTINEL-CONTENT-0b3e"),
            "U0VOVElORUwtQ09OVEVOVC0wYjNl"
        );
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64_encode(b""), "");
    }

    #[test]
    fn a_push_is_one_object_or_an_array_of_them() {
        let one: Vec<serde_json::Value> = one_or_many(br#"{"id":1}"#).unwrap();
        assert_eq!(one, [serde_json::json!({"id": 1})]);
        let many: Vec<u32> = one_or_many(b"[1, 2]").unwrap();
        assert_eq!(many, [1, 2]);
        assert!(one_or_many::<u32>(b"[]").unwrap().is_empty());
        assert!(one_or_many::<u32>(b"\"x\"").is_err());
        assert!(one_or_many::<u32>(b"[1, \"x\"]").is_err());
        assert!(one_or_many::<u32>(b"not json").is_err());
    }

    #[test]
    fn a_success_is_one_pass_even_with_the_payload_first() {
        // The head after the payload, escaped keys, duplicate head fields (first wins).
        let ok = lll::<Vec<Record>>(
            r#"{"data":[{"id":1,"amounts":2}],"\u0063ode":"200","code":"500","message":"ok"}"#,
        )
        .unwrap();
        assert_eq!(ok.payload.len(), 1);
        assert_eq!(ok.code.as_deref(), Some("200"));
    }
}
