//! ESP-AI's envelope decoder, with every payload the client decodes; the key must be
//! scrubbed from every error even when the body holds it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_espai::__fuzz::{Payload, decode_body};

const KEY: &str = "SENTINEL-KEY-5c2e";

fuzz_target!(|body: &[u8]| {
    for &payload in Payload::ALL {
        voxkit_fuzz::assert_clean("espai", &decode_body(payload, body, &[KEY]), &[KEY]);
    }
});
