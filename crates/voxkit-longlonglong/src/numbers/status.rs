//! 号码状态 ([`NumberStatus`]): what the number list shows, the reset selects and a task
//! re-dials, sent and read as its code.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// 号码状态 (from 批量重置号码状态): `0` 等待呼叫 … `12` 用户屏蔽.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NumberStatus {
    /// `0` 等待呼叫.
    Waiting,
    /// `1` 呼叫成功.
    Answered,
    /// `2` 运营商拦截.
    Blocked,
    /// `3` 拒接.
    Rejected,
    /// `4` 无应答、无人接听.
    NoAnswer,
    /// `5` 空号.
    Vacant,
    /// `6` 关机.
    PoweredOff,
    /// `7` 停机.
    Suspended,
    /// `8` 占线、用户正忙.
    Busy,
    /// `9` 呼入限制.
    IncomingRestricted,
    /// `10` 欠费.
    Arrears,
    /// `11` 黑名单.
    Blacklisted,
    /// `12` 用户屏蔽.
    UserBlocked,
}

impl NumberStatus {
    /// Every status, in code order.
    pub const ALL: [NumberStatus; 13] = [
        NumberStatus::Waiting,
        NumberStatus::Answered,
        NumberStatus::Blocked,
        NumberStatus::Rejected,
        NumberStatus::NoAnswer,
        NumberStatus::Vacant,
        NumberStatus::PoweredOff,
        NumberStatus::Suspended,
        NumberStatus::Busy,
        NumberStatus::IncomingRestricted,
        NumberStatus::Arrears,
        NumberStatus::Blacklisted,
        NumberStatus::UserBlocked,
    ];

    /// The documented code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status of a code.
    pub fn from_code(code: u64) -> Option<NumberStatus> {
        NumberStatus::ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The documented label.
    pub fn label(self) -> &'static str {
        [
            "等待呼叫",
            "呼叫成功",
            "运营商拦截",
            "拒接",
            "无应答、无人接听",
            "空号",
            "关机",
            "停机",
            "占线、用户正忙",
            "呼入限制",
            "欠费",
            "黑名单",
            "用户屏蔽",
        ][self as usize]
    }
}

impl Serialize for NumberStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for NumberStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = voxkit_core::lenient::u64(d)?;
        NumberStatus::from_code(code).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(code), &"0 to 12")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_status_codes_round_trip() {
        for status in NumberStatus::ALL {
            let code = status.code();
            assert_eq!(NumberStatus::from_code(code.into()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), code.to_string());
        }
        assert_eq!(NumberStatus::from_code(13), None);
        assert_eq!(NumberStatus::UserBlocked.label(), "用户屏蔽");
    }
}
