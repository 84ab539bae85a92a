//! longlonglong's envelope decoder, with every operation's decoder as the client runs it
//! (the crate's `TEST_HOOKS` and `DIALOGUE_TEST_HOOKS`, feature `test-util`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_longlonglong::{DIALOGUE_TEST_HOOKS, TEST_HOOKS};

fuzz_target!(|body: &[u8]| {
    for hooks in TEST_HOOKS {
        voxkit_fuzz::assert_clean("longlonglong", &hooks.decode_body(200, body), &[]);
    }
    for hooks in DIALOGUE_TEST_HOOKS {
        voxkit_fuzz::assert_clean("longlonglong-dialogue", &hooks.decode_body(200, body), &[]);
    }
});
