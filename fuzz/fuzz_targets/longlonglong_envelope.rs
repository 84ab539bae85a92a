//! longlonglong's envelope decoder, with every payload the client decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_longlonglong::__fuzz::{Payload, decode_body};

fuzz_target!(|body: &[u8]| {
    for &payload in Payload::ALL {
        voxkit_fuzz::assert_clean("longlonglong", &decode_body(payload, 200, body), &[]);
    }
});
