//! Exactly once for unbinding devices: an unbind is reconciled by reading the device list
//! back.

use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::{Error, ExactlyOnceOutcome, ExposeSecret, ReconcileWait, SecretString, Verdict};

use super::{UNBIND_DEVICE_MAC, UNBIND_DEVICES};
use crate::removals::{read_in_full, removal_read_back, remove_exactly_once};
use crate::{Client, DeviceFilter};

impl Client {
    /// Whether unbinding the devices `ids` was applied: every id gone from the device list
    /// (every page; the list has no id filter) → [`Verdict::Applied`]; every id still
    /// listed → [`Verdict::NotApplied`]; some gone and some not, or a list that cannot be
    /// read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_unbind_devices<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let listing = self.devices(DeviceFilter::new()).map_ok(|d| d.id);
        removal_read_back("device list", "unbound", "devices", ids, listing).await
    }

    /// [`Client::unbind_devices`] exactly once: a lost answer is reconciled in the device
    /// list ([`Client::reconcile_unbind_devices`]), re-sent once when every device is still
    /// there. Every id must be listed before anything is sent (else
    /// [`Error::InvalidInput`]).
    pub async fn unbind_devices_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = UNBIND_DEVICES.origin();
        crate::agents::id_array(origin, "device id", ids)?;
        remove_exactly_once(
            origin,
            "device",
            wait,
            || async { Ok(self.unbind_devices(ids).await?.evidence()) },
            || self.reconcile_unbind_devices(ids),
        )
        .await
    }

    /// Whether unbinding the device with `mac` from the agent whose key is
    /// `agent_api_key` was applied: the device list filtered by that key and that MAC
    /// (every page) no longer holds the MAC → [`Verdict::Applied`]; it still does →
    /// [`Verdict::NotApplied`]; a list that cannot be read in full →
    /// [`Verdict::Undetermined`]. The key appears in no verdict. Only reads.
    pub async fn reconcile_unbind_device_mac(
        &self,
        agent_api_key: &SecretString,
        mac: &str,
    ) -> Verdict {
        let filter = DeviceFilter::new()
            .agent_api_key(agent_api_key.expose_secret())
            .mac(mac);
        let macs = match read_in_full("device list", self.devices(filter).map_ok(|d| d.mac)).await {
            Ok(macs) => macs,
            Err(verdict) => return verdict,
        };
        if macs
            .iter()
            .flatten()
            .any(|listed| listed.eq_ignore_ascii_case(mac))
        {
            Verdict::NotApplied
        } else {
            Verdict::Applied(json!({ "unbound": mac }))
        }
    }

    /// [`Client::unbind_device_by_mac`] exactly once: a lost answer is reconciled in the
    /// device list of the agent ([`Client::reconcile_unbind_device_mac`]), re-sent once when
    /// the device is still bound. The device must be bound to the agent before anything is
    /// sent (else [`Error::InvalidInput`]).
    ///
    /// Why exactly once and not a plain repeat: the MAC and the agent are a natural key. A
    /// device unbound by the first send and bound again (re-paired) before a blind repeat
    /// would be unbound a second time.
    pub async fn unbind_device_by_mac_exactly_once(
        &self,
        agent_api_key: &SecretString,
        mac: &str,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = UNBIND_DEVICE_MAC.origin();
        crate::devices::check_mac(origin, mac)?;
        remove_exactly_once(
            origin,
            "device",
            wait,
            || async {
                let ack = self.unbind_device_by_mac(agent_api_key, mac).await?;
                Ok(json!({ "message": ack.message, "unbound": mac }))
            },
            || self.reconcile_unbind_device_mac(agent_api_key, mac),
        )
        .await
    }
}
