//! Voice files (上传语音文件): the upload operation, and the voice a task plays
//! ([`VoiceSource`]: an uploaded file, a file uploaded with the task, or text to speech).

use std::fmt;

use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Operation, Origin, check};

use super::{MAX_ID_BYTES, VoiceFileId, int_enum};
use crate::envelope::decode_data;
use crate::{Client, PROVIDER};

mod exactly_once;
pub use exactly_once::{VOICE_FILE_NAME_MAX_CHARS, marked_voice_file_name};

/// The marker of the upload example's exactly-once call.
#[cfg(any(test, feature = "test-util"))]
fn example_marker() -> voxkit_core::Marker {
    voxkit_core::Marker::from_stored("vk0123456789abcd")
}

laaffic_operations! {
    /// 上传语音文件: `POST /v3/voice/fileUpload`. Names are unique ("名称不允许重复"), so
    /// a file name carrying a marker is the key of one upload. No operation lists voice
    /// files, so the upload is its own probe: re-sent under the same name, it answers
    /// `-20` (data exists) when the first one was applied, and stores the file when it was
    /// not (`upload_voice_file_exactly_once`). A `-20` does not give back the first
    /// upload's id.
    pub(crate) UPLOAD_VOICE_FILE {
        name: "upload_voice_file",
        method: POST,
        path: "v3/voice/fileUpload",
        idempotency: NotRepeatable,
        reconciliation: ByConflict { field: "fileName", conflict: "-20 data exists" },
        example: |c| c.upload_voice_file("test.mp3", b"ID3\x04\x00").await.map(drop),
        decode: |r| decode_data::<VoiceFileId>(&UPLOAD_VOICE_FILE, r).map(drop),
        // The exactly-once call needs a marked name: the docs' one with a fixed marker
        // (each suite's case has a sandbox of its own, so it is unique there).
        exactly_once: |c| {
            let name = crate::marked_voice_file_name("test.mp3", &example_marker());
            c.upload_voice_file_exactly_once(&name, b"ID3\x04\x00", &voxkit_core::test_util::FAST_RECONCILE).await
        },
        // No read lists voice files: the same upload again is refused (-20, data exists)
        // exactly when the first was applied; both names the hooks send are tried.
        applied: |c| {
            let marked = crate::marked_voice_file_name("test.mp3", &example_marker());
            let mut applied = 0;
            for name in ["test.mp3", marked.as_str()] {
                match c.upload_voice_file(name, b"ID3\x04\x00").await {
                    Ok(_) => {}
                    Err(e) if e.api_code() == Some("-20") => applied += 1,
                    Err(e) => return Err(e),
                }
            }
            Ok(applied)
        },
    }
}

impl Client {
    /// Uploads a voice file: `POST /v3/voice/fileUpload` (上传语音文件), operation
    /// `upload_voice_file`. Returns the voice file id to create tasks with
    /// ([`crate::VoiceSource::file`]).
    ///
    /// `file_name` must follow the documented rules, checked before sending: 5-32
    /// characters with the extension, `.mp3`, `.m4a` or `.wav` (and no path separator);
    /// `content` must not be empty. The client base64-encodes the content (the page states
    /// no size limit; the body is about 4/3 of the file's size).
    ///
    /// **Not repeatable**: names must be unique ("名称不允许重复"), so an upload whose answer
    /// was lost is [`Error::OutcomeUnknown`]; sending it again may answer `-20` (data
    /// exists) although the first one worked. [`Client::upload_voice_file_exactly_once`]
    /// turns that answer into the proof.
    pub async fn upload_voice_file(
        &self,
        file_name: &str,
        content: &[u8],
    ) -> Result<VoiceFileId, Error> {
        let origin = UPLOAD_VOICE_FILE.origin();
        voice_file_name(origin, "the file name", file_name)?;
        if content.is_empty() {
            return Err(Error::invalid_input(origin, "the voice file is empty"));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            file_name: &'a str,
            file: String,
        }
        let body = Body {
            file_name,
            file: voxkit_core::wire::base64_encode(content),
        };
        let op = Operation::of(&UPLOAD_VOICE_FILE, &[])?.json(origin, &body)?;
        self.send(&UPLOAD_VOICE_FILE, &op, decode_data).await
    }

    /// Uploads the voice file at `path` under its own file name (which must follow the
    /// rules of [`Client::upload_voice_file`], checked before the file is read). The file
    /// is read with blocking I/O (it is small: a voice prompt).
    pub async fn upload_voice_file_from_path(
        &self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<VoiceFileId, Error> {
        let origin = Origin::new(PROVIDER, "upload_voice_file");
        let path = path.as_ref();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(Error::invalid_input(
                origin,
                "the path has no UTF-8 file name",
            ));
        };
        voice_file_name(origin, "the file name", name)?;
        let content = std::fs::read(path).map_err(|e| {
            Error::invalid_input(origin, format!("the voice file cannot be read: {e}"))
        })?;
        self.upload_voice_file(name, &content).await
    }
}

int_enum! {
    /// Where a task's voice comes from (`source`, 文件來源).
    SourceKind {
        /// `1` 已上傳文件: an uploaded voice file (`voiceFileId`).
        UploadedFile = 1,
        /// `2` 重新上傳語音文件: a file uploaded with the task (`uploadName`, `baseFile`).
        NewUpload = 2,
        /// `3` 文本轉語音: text to speech (`text`, `lan`).
        TextToSpeech = 3,
    }
}

int_enum! {
    /// The synthetic voice's gender (`ssmlGender`: "1 male, 2 female… system uses female
    /// voice by default").
    Gender {
        /// `1` male.
        Male = 1,
        /// `2` female (the default).
        Female = 2,
    }
}

/// A text-to-speech language (`lan`, 轉換語言), as the itniotech create page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lan {
    /// `VN` Vietnamese.
    Vietnamese,
    /// `EN` English.
    English,
    /// `JP` Japanese.
    Japanese,
    /// `ARB` Arabic.
    Arabic,
    /// `DE` German.
    German,
    /// `IN` Hindi.
    Hindi,
    /// `IT` Italian.
    Italian,
    /// `KR` Korean.
    Korean,
    /// `RU` Russian.
    Russian,
    /// `ES` Spanish.
    Spanish,
    /// `PT` Portuguese.
    Portuguese,
    /// `IDN` Indonesian.
    Indonesian,
    /// `BD` Bangladesh (Bengali).
    Bengali,
    /// `TH` Thai.
    Thai,
    /// A code the documentation does not list, as sent (or to be sent).
    Unknown(String),
}

const LANS: &[(Lan, &str)] = &[
    (Lan::Vietnamese, "VN"),
    (Lan::English, "EN"),
    (Lan::Japanese, "JP"),
    (Lan::Arabic, "ARB"),
    (Lan::German, "DE"),
    (Lan::Hindi, "IN"),
    (Lan::Italian, "IT"),
    (Lan::Korean, "KR"),
    (Lan::Russian, "RU"),
    (Lan::Spanish, "ES"),
    (Lan::Portuguese, "PT"),
    (Lan::Indonesian, "IDN"),
    (Lan::Bengali, "BD"),
    (Lan::Thai, "TH"),
];

impl Lan {
    /// The code as sent (`"EN"`, ...).
    pub fn code(&self) -> &str {
        match self {
            Lan::Unknown(code) => code,
            known => LANS.iter().find(|(l, _)| l == known).map_or("", |(_, c)| c),
        }
    }

    /// The language of a code (exact match; anything else is [`Lan::Unknown`]).
    pub fn from_code(code: &str) -> Lan {
        LANS.iter()
            .find(|(_, c)| *c == code)
            .map_or_else(|| Lan::Unknown(code.to_owned()), |(l, _)| l.clone())
    }
}

impl Serialize for Lan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Lan {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Lan::from_code(&code))
    }
}

/// Where a task's voice comes from (`source` with its companion fields).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VoiceSource {
    /// `source: 1` with `voiceFileId`: a file uploaded earlier ([`crate::Client::upload_voice_file`]).
    File(VoiceFileId),
    /// `source: 2` with `uploadName` ("5-32 characters", the upload's name rules) and
    /// `baseFile` (the content; the client base64-encodes it).
    Upload {
        /// `uploadName`: the file name with its extension.
        file_name: String,
        /// The file's bytes (sent base64-encoded as `baseFile`).
        content: Vec<u8>,
    },
    /// `source: 3` with `text` (at most 1000 characters; may hold `${textN}` variables
    /// filled per number from [`Callee::text`](crate::Callee::text)) and `lan`.
    TextToSpeech {
        /// `text`: the text to speak.
        text: String,
        /// `lan`: its language.
        lan: Lan,
    },
}

impl fmt::Debug for VoiceSource {
    /// Shows an upload's length, not its bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VoiceSource::File(id) => f.debug_tuple("File").field(id).finish(),
            VoiceSource::Upload { file_name, content } => f
                .debug_struct("Upload")
                .field("file_name", file_name)
                .field("content_len", &content.len())
                .finish(),
            VoiceSource::TextToSpeech { text, lan } => f
                .debug_struct("TextToSpeech")
                .field("text", text)
                .field("lan", lan)
                .finish(),
        }
    }
}

impl VoiceSource {
    /// A voice file uploaded earlier.
    pub fn file(id: impl Into<VoiceFileId>) -> Self {
        VoiceSource::File(id.into())
    }

    /// A file uploaded with the task.
    pub fn upload(file_name: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        VoiceSource::Upload {
            file_name: file_name.into(),
            content: content.into(),
        }
    }

    /// Text to speech.
    pub fn text_to_speech(text: impl Into<String>, lan: Lan) -> Self {
        VoiceSource::TextToSpeech {
            text: text.into(),
            lan,
        }
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        match self {
            VoiceSource::File(id) => {
                check::token(origin, "the voice file id", id.as_str(), MAX_ID_BYTES)
            }
            VoiceSource::Upload { file_name, content } => {
                voice_file_name(origin, "the upload name", file_name)?;
                if content.is_empty() {
                    return Err(Error::invalid_input(origin, "the voice file is empty"));
                }
                Ok(())
            }
            VoiceSource::TextToSpeech { text, lan } => {
                check::chars(origin, "the text to speak", text, 1, 1000)?;
                check::token(origin, "the language code", lan.code(), MAX_ID_BYTES)
            }
        }
    }

    pub(crate) fn wire(&self) -> SourceWire {
        match self {
            VoiceSource::File(id) => SourceWire {
                source: 1,
                voice_file_id: Some(id.0.clone()),
                ..SourceWire::default()
            },
            VoiceSource::Upload { file_name, content } => SourceWire {
                source: 2,
                upload_name: Some(file_name.clone()),
                base_file: Some(voxkit_core::wire::base64_encode(content)),
                ..SourceWire::default()
            },
            VoiceSource::TextToSpeech { text, lan } => SourceWire {
                source: 3,
                text: Some(text.clone()),
                lan: Some(lan.code().to_owned()),
                ..SourceWire::default()
            },
        }
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceWire {
    source: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upload_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lan: Option<String>,
}

/// The extensions the voice upload accepts ("支持.mp3, .m4a和.wav上传").
pub const VOICE_FILE_EXTENSIONS: &[&str] = &["mp3", "m4a", "wav"];

/// A voice file name: 5 to 32 characters including the extension ("带后缀的文件名,
/// 5-32字符"), ending in `.mp3`, `.m4a` or `.wav` (any letter case), with a non-empty
/// name before the extension, and no path separator, control character or surrounding
/// space.
fn voice_file_name(origin: Origin, what: &'static str, name: &str) -> Result<(), Error> {
    let len = name.chars().count();
    if !(5..=32).contains(&len) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be 5 to 32 characters long, extension included ({len} given)"),
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
        || name.trim() != name
    {
        return Err(Error::invalid_input(
            origin,
            format!(
                "{what} must not hold a path separator, a control character or surrounding spaces"
            ),
        ));
    }
    let ok = name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && VOICE_FILE_EXTENSIONS
                .iter()
                .any(|e| e.eq_ignore_ascii_case(ext))
    });
    if !ok {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must end in .mp3, .m4a or .wav after a name"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("laaffic", "test");

    #[test]
    fn voice_file_names() {
        for ok in [
            "a.mp3",
            "test.mp3",
            "greeting.M4A",
            "语音文件.wav",
            "a b.wav",
            &format!("{}.mp3", "x".repeat(28)),
        ] {
            assert!(voice_file_name(O, "the file name", ok).is_ok(), "{ok}");
        }
        for bad in [
            ".mp3",
            "ab.mp",
            "test",
            "test.ogg",
            "test.mp3.txt",
            &format!("{}.mp3", "x".repeat(29)),
            "dir/a.mp3",
            "dir\\a.mp3",
            " a.mp3",
            "a\n.mp3",
            "a.wav ",
        ] {
            let err = voice_file_name(O, "the file name", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}");
            assert!(err.nothing_sent());
        }
    }
}
