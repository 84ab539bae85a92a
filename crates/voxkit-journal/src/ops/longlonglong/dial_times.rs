//! A dial-time group saved, found again by its name in the group list (a read-back).

use serde_json::json;
use voxkit_core::Error;
use voxkit_longlonglong::{DaySchedule, NewDialTimeGroup, SubUserId, UserId};

use super::{Longlonglong, serial};

declared! {
    /// A dial-time group saved (呼叫时间组-保存): the request has no field for a marker, so
    /// the group's name is the key, as in [`Client::save_dial_time_group_exactly_once`]:
    /// found again by its name in the group list
    /// ([`Client::reconcile_save_dial_time_group`]), so a name already listed is refused
    /// before sending (a read-back: one group named so afterwards, none before, proves this
    /// save).
    ///
    /// [`Client::save_dial_time_group_exactly_once`]: voxkit_longlonglong::Client::save_dial_time_group_exactly_once
    /// [`Client::reconcile_save_dial_time_group`]: voxkit_longlonglong::Client::reconcile_save_dial_time_group
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SaveDialTimeGroupRequest for Longlonglong {
        /// The main account.
        pub user: UserId => "user",
        /// 名称: how the save is found again (1–64 characters, new in the list).
        pub name: String => "name",
        /// The days and their hours.
        pub content: Vec<DaySchedule> => "content",
        /// `is_default`: make it the default group.
        pub is_default: bool => "is_default",
        /// `skip_holiday`: do not call on public holidays.
        pub skip_holiday: bool => "skip_holiday",
        /// `sub_user_id`: save it for this sub-account (and look for it in that one's list).
        pub sub: Option<SubUserId> => "sub_user",
    }
    names: ["save_dial_time_group"],
    read_back: |_| "a dial-time group with this name already exists (choose a new name)",
    serial: |r| serial(&r.user),
    // The SDK's checks of the group (name 1–64 characters, at least one day, each once).
    check: |r| r.group().map(drop),
    send: |r, client, _| {
        let saved = client.save_dial_time_group(&r.user, &r.group()?).await?;
        Ok(json!({ "message": saved.message, "data": saved.data, "name": r.name }))
    },
    reconcile: |r, client, _, _| {
        client
            .reconcile_save_dial_time_group(&r.user, r.sub.as_ref(), &r.name)
            .await
    },
}

impl SaveDialTimeGroupRequest {
    /// The group as the client sends it (checked by the SDK's constructor).
    fn group(&self) -> Result<NewDialTimeGroup, Error> {
        let mut group = NewDialTimeGroup::new(self.name.as_str(), self.content.clone())?;
        if self.is_default {
            group = group.is_default(true);
        }
        if self.skip_holiday {
            group = group.skip_holiday(true);
        }
        if let Some(sub) = &self.sub {
            group = group.sub_user(sub.clone());
        }
        Ok(group)
    }
}
