//! Sub-accounts created (found again by their e-mail) and deleted: both read-backs.

use serde_json::json;
use voxkit_core::{Error, ExposeSecret, Origin, SecretString};
use voxkit_longlonglong::{NewSubAccount, SubUserId, UserId};

use super::{Longlonglong, PROVIDER, serial};

declared! {
    /// A sub-account created (创建子账户) with its required fields: found again by its
    /// e-mail ([`Client::reconcile_create_sub_account`]), so an e-mail already in the list
    /// is refused before sending (a read-back).
    ///
    /// The password is a credential: it is held in memory only, and the journal keeps
    /// neither it nor a fingerprint of it (a password's hash invites guessing). A create
    /// rebuilt from the journal alone ([`Op::from_intent`]) can therefore be reconciled but
    /// not re-sent: a re-send it would need is refused ("nothing was sent") until the row
    /// that holds the password is run again.
    ///
    /// [`Client::reconcile_create_sub_account`]: voxkit_longlonglong::Client::reconcile_create_sub_account
    /// [`Op::from_intent`]: crate::ops::Op::from_intent
    #[derive(Clone)]
    pub struct CreateSubAccountRequest for Longlonglong {
        /// The main account.
        pub user: UserId => "user",
        /// 账户名.
        pub name: String => "name",
        /// 邮箱: how the creation is found again.
        pub email: String => "email",
        /// 手机号码, digits.
        pub phone: String => "phone",
        /// 密码; `None` for a create rebuilt from the journal.
        pub password: Option<SecretString> => memory_only,
    }
    names: ["create_sub_account"],
    read_back: |_| "a sub-account with this e-mail already exists",
    serial: |r| serial(&r.user),
    // The client's checks of the fields the row gives (the password: not empty).
    check: |r| {
        let origin = Origin::new(PROVIDER, "create_sub_account");
        voxkit_core::check::chars(origin, "name", r.name.trim(), 1, usize::MAX)?;
        voxkit_core::check::email(origin, "email", &r.email)?;
        voxkit_core::check::digits(origin, "phone", &r.phone, 1, 20)?;
        if r.password.as_ref().is_some_and(|p| p.expose_secret().is_empty()) {
            return Err(Error::invalid_input(origin, "password must not be empty"));
        }
        Ok(())
    },
    send: |r, client, _| {
        let Some(password) = &r.password else {
            return Err(Error::invalid_input(
                Origin::new(PROVIDER, "create_sub_account"),
                "the password is not in the journal: run the row that holds it again; \
                 nothing was sent",
            ));
        };
        let account = NewSubAccount::new(
            r.name.as_str(),
            r.email.as_str(),
            r.phone.as_str(),
            password.clone(),
        );
        let sub = client.create_sub_account(&r.user, &account).await?;
        Ok(json!({ "id": sub.id, "email": r.email }))
    },
    reconcile: |r, client, _, _| client.reconcile_create_sub_account(&r.user, &r.email).await,
}

impl std::fmt::Debug for CreateSubAccountRequest {
    /// Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSubAccountRequest")
            .field("user", &self.user.as_str())
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .finish_non_exhaustive()
    }
}

declared! {
    /// A sub-account deleted (删除子账户): the read answers "not found" afterwards
    /// ([`Client::reconcile_delete_sub_account`]); it must be there before (a read-back).
    ///
    /// [`Client::reconcile_delete_sub_account`]: voxkit_longlonglong::Client::reconcile_delete_sub_account
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeleteSubAccountRequest for Longlonglong {
        /// The main account.
        pub user: UserId => "user",
        /// The sub-account.
        pub sub: SubUserId => "sub_user",
    }
    names: ["delete_sub_account"],
    read_back: |_| "the sub-account is not there (never created, or deleted)",
    serial: |r| serial(&r.user),
    send: |r, client, _| {
        let ack = client.delete_sub_account(&r.user, &r.sub).await?;
        Ok(json!({ "message": ack.message, "deleted": r.sub.as_str() }))
    },
    reconcile: |r, client, _, _| client.reconcile_delete_sub_account(&r.user, &r.sub).await,
}
