//! Generated ids in the providers' documented shapes, drawn from the sandbox's seeded
//! generator so that a run is reproducible.

/// A version-4 UUID (longlonglong's user and sub-account ids).
pub(crate) fn uuid(rng: &mut fastrand::Rng) -> String {
    let hex: String = (0..32)
        .map(|i| match i {
            12 => '4',
            16 => ['8', '9', 'a', 'b'][rng.usize(..4)],
            _ => char::from_digit(rng.u32(..16), 16).expect("a hex digit"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// 32 lowercase hex digits (ESP-AI's ids, Laaffic's voice-file ids).
pub(crate) fn hex_id(rng: &mut fastrand::Rng) -> String {
    (0..32)
        .map(|_| char::from_digit(rng.u32(..16), 16).expect("a hex digit"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_documented_shapes() {
        let mut rng = fastrand::Rng::with_seed(1);
        let uuid = uuid(&mut rng);
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(uuid.split('-').map(str::len).eq([8, 4, 4, 4, 12]));
        let hex = hex_id(&mut rng);
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
