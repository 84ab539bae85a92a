//! Exactly once for the sub-account writes: a new sub-account is found again by the list
//! filtered by its email, a deleted one by the read answering "not found".

use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, ReconcileWait, Verdict};

use super::CREATE_SUB_ACCOUNT;
use crate::listing::is_not_found;
use crate::{Client, NewSubAccount, SubAccount, SubAccountQuery, SubUserId, UserId};

impl Client {
    /// The user's sub-accounts whose email is `email` (ASCII case ignored): every page of
    /// the list filtered by the email, then matched exactly (the filter may be a substring
    /// search).
    async fn sub_accounts_with_email(
        &self,
        user: &UserId,
        email: &str,
    ) -> Result<Vec<SubAccount>, Error> {
        let listed: Vec<SubAccount> = self
            .sub_accounts_all(user, &SubAccountQuery::new().email(email))
            .try_collect()
            .await?;
        Ok(listed
            .into_iter()
            .filter(|s| {
                s.email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
            })
            .collect())
    }

    /// Whether the sub-account with `email` exists under `user`, from the list filtered by
    /// the email (every page): exactly one → [`Verdict::Applied`] (the sub-account as
    /// evidence); none → [`Verdict::NotApplied`]; two, or a list that cannot be read in
    /// full → [`Verdict::Undetermined`]. Proves a creation only for an email that was not
    /// there before it ([`Client::create_sub_account_exactly_once`] checks). Only reads.
    pub async fn reconcile_create_sub_account(&self, user: &UserId, email: &str) -> Verdict {
        match self.sub_accounts_with_email(user, email).await {
            Ok(found) => match found.as_slice() {
                [] => Verdict::NotApplied,
                [sub] => Verdict::Applied(
                    serde_json::to_value(sub).unwrap_or_else(|_| json!({ "id": sub.id })),
                ),
                many => Verdict::Undetermined(format!(
                    "{} sub-accounts have the email {email} (ids {:?})",
                    many.len(),
                    many.iter().map(|s| s.id.as_str()).collect::<Vec<_>>()
                )),
            },
            Err(e) => Verdict::Undetermined(format!(
                "the sub-account list could not be read in full: {e}"
            )),
        }
    }

    /// [`Client::create_sub_account`] exactly once: the new account's email is its key. A
    /// lost answer is reconciled with [`Client::reconcile_create_sub_account`], and the same
    /// request is re-sent once only when no sub-account has the email.
    ///
    /// The list is read first: a sub-account that already has the email is refused
    /// ([`Error::InvalidInput`], nothing created), since finding it afterwards would prove
    /// nothing; a list that cannot be read is returned as its error, nothing sent.
    pub async fn create_sub_account_exactly_once(
        &self,
        user: &UserId,
        account: &NewSubAccount,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let email = account.email();
        if !self.sub_accounts_with_email(user, email).await?.is_empty() {
            return Err(Error::invalid_input(
                CREATE_SUB_ACCOUNT.origin(),
                "a sub-account with this email already exists, so its creation could not be \
                 reconciled: look it up with sub_accounts",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async {
                let sub = self.create_sub_account(user, account).await?;
                Ok(serde_json::to_value(&sub).unwrap_or_else(|_| json!({ "id": sub.id })))
            },
            || self.reconcile_create_sub_account(user, email),
        )
        .await
    }

    /// Whether deleting the sub-account was applied, by reading it back: the read answers
    /// "not found" (code `404`) → [`Verdict::Applied`]; the read finds it →
    /// [`Verdict::NotApplied`]; any other failure → [`Verdict::Undetermined`]. Proves a
    /// delete only for a sub-account that was there before it
    /// ([`Client::delete_sub_account_exactly_once`] checks). Only reads.
    pub async fn reconcile_delete_sub_account(&self, user: &UserId, sub: &SubUserId) -> Verdict {
        match self.sub_account(user, sub).await {
            Ok(_) => Verdict::NotApplied,
            Err(e) if is_not_found(&e) => {
                Verdict::Applied(json!({ "deleted": sub.as_str(), "read": e.to_string() }))
            }
            Err(e) => Verdict::Undetermined(format!("the sub-account could not be read: {e}")),
        }
    }

    /// [`Client::delete_sub_account`] exactly once: the sub-account is read first (its
    /// error returned, nothing deleted, when it is not there: "gone afterwards" proves the
    /// delete only for a sub-account that was there); a lost answer is reconciled with
    /// [`Client::reconcile_delete_sub_account`], re-sent once when it is still there.
    pub async fn delete_sub_account_exactly_once(
        &self,
        user: &UserId,
        sub: &SubUserId,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        self.sub_account(user, sub).await?;
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.delete_sub_account(user, sub).await?;
                Ok(json!({ "message": ack.message, "deleted": sub.as_str() }))
            },
            || self.reconcile_delete_sub_account(user, sub),
        )
        .await
    }
}
