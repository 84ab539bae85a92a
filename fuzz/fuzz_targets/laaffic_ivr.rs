//! Laaffic's answers (both envelope families, every operation's decoder as the client
//! runs it: the crate's `TEST_HOOKS`, feature `test-util`) and the pushed call report: the
//! first byte picks the decoder, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_laaffic::TEST_HOOKS;
use voxkit_laaffic::__fuzz::decode_report;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let pick = usize::from(pick);
    if pick == TEST_HOOKS.len() || pick == 255 {
        // A decode error is a clean answer; a panic is the finding.
        let _ = decode_report(body);
        return;
    }
    let hooks = &TEST_HOOKS[pick % TEST_HOOKS.len()];
    voxkit_fuzz::assert_clean("laaffic", &hooks.decode_body(200, body), &[]);
});
