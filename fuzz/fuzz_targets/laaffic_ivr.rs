//! Laaffic's IVR answers (both envelope families, every payload type) and the pushed call
//! report: the first byte picks the decoder, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_laaffic::OPERATIONS;
use voxkit_laaffic::__fuzz::{decode_answer, decode_report};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let pick = usize::from(pick);
    if pick == OPERATIONS.len() || pick == 255 {
        // A decode error is a clean answer; a panic is the finding.
        let _ = decode_report(body);
        return;
    }
    let (operation, _) = OPERATIONS[pick % OPERATIONS.len()];
    voxkit_fuzz::assert_clean("laaffic", &decode_answer(operation, body), &[]);
});
