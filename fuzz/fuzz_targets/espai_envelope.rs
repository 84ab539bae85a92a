//! ESP-AI's envelope decoder, with every operation's decoder as the client runs it (the
//! crate's `TEST_HOOKS`, feature `test-util`); the key (`TEST_KEY`, which those decoders
//! scrub as the client scrubs its own) must be scrubbed from every error even when the
//! body holds it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_espai::{TEST_HOOKS, TEST_KEY};

fuzz_target!(|body: &[u8]| {
    for hooks in TEST_HOOKS {
        voxkit_fuzz::assert_clean("espai", &hooks.decode_body(200, body), &[TEST_KEY]);
    }
});
