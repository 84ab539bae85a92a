//! Laaffic's status parser on any text: documented codes are their variant, anything else
//! is kept as sent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_laaffic::__fuzz::parse_status;
use voxkit_laaffic::Status;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let status = parse_status(text);
    let trimmed = text.trim();
    let documented = trimmed.parse::<i64>().ok().and_then(|n| {
        Status::DOCUMENTED
            .iter()
            .find(|s| s.code().map(i64::from) == Some(n))
    });
    match documented {
        Some(documented) => assert_eq!(&status, documented),
        None => assert_eq!(status, Status::Unknown(trimmed.to_owned())),
    }
    let _ = status.to_string();
});
