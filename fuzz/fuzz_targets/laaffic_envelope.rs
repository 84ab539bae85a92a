//! Laaffic's family-A envelope decoder (the balance), with a `Date` header: the first byte
//! says how many of the following bytes are the header, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voxkit_laaffic::__fuzz::decode_balance;
use voxkit_laaffic::Status;

fuzz_target!(|data: &[u8]| {
    let (date, body) = match data.split_first() {
        Some((&n, rest)) => rest.split_at(usize::from(n).min(rest.len())),
        None => (&[][..], data),
    };
    let (result, learnt) = decode_balance(date, body);
    voxkit_fuzz::assert_clean("laaffic", &result, &[]);
    if learnt.is_some() {
        let err = result
            .as_ref()
            .expect_err("only a -16 error learns the server's date");
        assert_eq!(Status::of(err), Some(Status::TimestampOutOfRange));
    }
});
