//! What every fuzz target asserts about a decoder's answer: success, or a clean error.
//! A panic, or any assertion below failing, is a finding: libFuzzer saves the input under
//! `fuzz/artifacts/<target>/`. Turn it into a regression test next to the decoder's
//! property tests (`crates/<provider>/src/proptests.rs`).

use voxkit_core::Error;
use voxkit_core::error::EXCERPT_CHARS;

/// Panics unless `result` is `Ok` or a clean decoder error of `provider`: a decode error
/// with a short, printable excerpt, or the provider's own error; and unless none of
/// `secrets` shows in it.
pub fn assert_clean<T>(provider: &str, result: &Result<T, Error>, secrets: &[&str]) {
    let Err(error) = result else {
        return;
    };
    let shown = format!("{error} {error:?}");
    assert!(shown.starts_with(provider), "{shown}");
    for secret in secrets {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
    match error {
        Error::Decode {
            message, excerpt, ..
        } => {
            assert!(!message.is_empty());
            assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1, "{excerpt}");
            assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
        }
        Error::Api { .. } => {}
        other => panic!("not a decoder error: {other:?}"),
    }
}
