//! 硬件设备: list, update and unbind the hardware devices of the account (documentation
//! section 硬件设备管理接口, C1–C4). A device's `wifi_pwd` comes back in clear text and its
//! `api_key` is its agent's key: both are [`SecretString`]s here, never shown by `Debug`.

use std::fmt;
use std::time::SystemTime;

use futures_util::stream::BoxStream;
#[cfg(any(test, feature = "test-util"))]
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use voxkit_core::{Error, ExposeSecret, Origin, Page, PayloadAt, SecretString, lenient};

#[cfg(any(test, feature = "test-util"))]
use crate::agents::UpdatedData;
use crate::agents::{flag, id_array, object_id, opt_flag, opt_secret};
use crate::field_decoders::{opt_millis, opt_phone};
#[cfg(any(test, feature = "test-util"))]
use crate::listing::List;
use crate::listing::{PagedQuery, default_paging, insert_page, option_setters};
use crate::{Ack, Client, Updated, checks};

mod exactly_once;

/// The sandbox's (and the examples') agent key for `devices/unbind`: the documentation
/// shows only `"xxx"`.
#[cfg(any(test, feature = "test-util"))]
pub const EXAMPLE_AGENT_KEY: &str = "sandbox-espai-agent-api-key";

operations! {
    /// 查询设备列表 (C1).
    pub(crate) LIST_DEVICES {
        name: "list_devices",
        method: POST,
        path: "devices/list",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.list_devices(&DeviceFilter::new().page(1).limit(10)).await.map(drop),
        decode: |r| crate::envelope::decode_as::<List<Device>>(&LIST_DEVICES, PayloadAt::Rest, r),
    }

    /// 更新设备 (C2): sets the given fields, so sending it twice changes nothing more.
    pub(crate) UPDATE_DEVICE {
        name: "update_device",
        method: POST,
        path: "devices/update",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let update = DeviceUpdate::new("2cf661bb42b642018ee13af7150b8310").name("小琅");
            c.update_device(&update).await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<Option<UpdatedData>>(&UPDATE_DEVICE, PayloadAt::Field("data"), r),
    }

    /// 解绑设备(基于ID) (C3): the devices are unbound afterwards.
    pub(crate) UNBIND_DEVICES {
        name: "unbind_devices",
        method: POST,
        path: "devices/del",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "list_devices",
            how: "each unbound id is gone from the device list",
        },
        example: |c| c.unbind_devices(&["b93ec353967441ada8d31b4910a3032d"]).await.map(drop),
        decode: |r| crate::envelope::decode_as::<IgnoredAny>(&UNBIND_DEVICES, PayloadAt::Field("data"), r),
        exactly_once: |c| c.unbind_devices_exactly_once(&["b93ec353967441ada8d31b4910a3032d"], &voxkit_core::test_util::FAST_RECONCILE).await,
        applied: |c| c.seeded_devices_gone(&UNBIND_DEVICES, |d| d.id == "b93ec353967441ada8d31b4910a3032d").await,
    }

    /// 解绑设备(基于设备MAC地址) (C4).
    pub(crate) UNBIND_DEVICE_MAC {
        name: "unbind_device_mac",
        method: POST,
        path: "devices/unbind",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "list_devices",
            how: "the MAC is gone from the device list filtered by device_id",
        },
        example: |c| {
            let key = SecretString::from(EXAMPLE_AGENT_KEY);
            c.unbind_device_by_mac(&key, "FC:01:2C:DB:14:30").await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<IgnoredAny>(&UNBIND_DEVICE_MAC, PayloadAt::Field("data"), r),
        exactly_once: |c| {
            let key = SecretString::from(EXAMPLE_AGENT_KEY);
            c.unbind_device_by_mac_exactly_once(&key, "FC:01:2C:DB:14:30", &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| {
            let mac = |d: &Device| d.mac.as_deref() == Some("FC:01:2C:DB:14:30");
            c.seeded_devices_gone(&UNBIND_DEVICE_MAC, mac).await
        },
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Client {
    /// Test hook (`applied`) of the unbind examples: whether the device they name (`gone`)
    /// is gone from the list of the two seeded devices; an error, naming `spec`, when any
    /// other device went too.
    async fn seeded_devices_gone(
        &self,
        spec: &voxkit_core::OperationSpec,
        gone: fn(&Device) -> bool,
    ) -> Result<usize, Error> {
        let devices = self.list_devices(&DeviceFilter::new()).await?.items;
        let applied = usize::from(!devices.iter().any(gone));
        if devices.len() + applied != 2 {
            return Err(Error::invalid_input(
                spec.origin(),
                format!("another device was unbound: {} left", devices.len()),
            ));
        }
        Ok(applied)
    }
}

impl Client {
    /// One page of devices: `POST /devices/list` (查询设备列表), operation
    /// `list_devices`. Repeatable. The page's [`total`](Page::total) is `totalNumber`.
    pub async fn list_devices(&self, filter: &DeviceFilter) -> Result<DevicePage, Error> {
        let body = filter.to_wire(LIST_DEVICES.origin())?;
        self.list_page(&self.core, &LIST_DEVICES, &body).await
    }

    /// Every device `filter` selects, page after page, with the guards of
    /// [`voxkit_core::page::walk`] (see [`Client::agents`]).
    pub fn devices(&self, filter: DeviceFilter) -> BoxStream<'static, Result<Device, Error>> {
        let paging = default_paging("device listing", "device", "devices");
        self.walk_query(
            LIST_DEVICES.origin(),
            paging,
            |device: &Device| device.id.clone(),
            filter,
            |client, filter| async move { client.list_devices(&filter).await },
        )
    }

    /// Changes a device: `POST /devices/update` (更新设备), operation `update_device`.
    /// Only the fields set are sent. Repeatable. "缺失参数：id" (401) without an id.
    pub async fn update_device(&self, update: &DeviceUpdate) -> Result<Updated, Error> {
        let body = update.to_wire(UPDATE_DEVICE.origin())?;
        let answer = self
            .post(&UPDATE_DEVICE, &body, PayloadAt::Field("data"))
            .await?;
        Ok(Updated::of(answer))
    }

    /// Unbinds devices by id: `POST /devices/del` (解绑设备(基于ID)), operation
    /// `unbind_devices`; the body is a JSON array `[{"id": ...}]`. Errors without `code`:
    /// "解绑失败，请传入需要解绑的数据", "设备未找到，请检查！".
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; list the devices
    /// before trying again.
    pub async fn unbind_devices<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Result<Ack, Error> {
        let body = id_array(UNBIND_DEVICES.origin(), "device id", ids)?;
        self.ack(&self.core, &UNBIND_DEVICES, &body).await
    }

    /// Unbinds a device by its MAC address from the agent whose key is `agent_api_key`:
    /// `POST /devices/unbind` (解绑设备(基于设备MAC地址)), operation `unbind_device_mac`.
    /// The body is an object, `{"api_key", "device_id"}`.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; list the devices by
    /// MAC ([`DeviceFilter::mac`]) before trying again.
    pub async fn unbind_device_by_mac(
        &self,
        agent_api_key: &SecretString,
        mac: &str,
    ) -> Result<Ack, Error> {
        let origin = UNBIND_DEVICE_MAC.origin();
        checks::token(origin, "the agent api_key", agent_api_key.expose_secret())?;
        check_mac(origin, mac)?;
        #[derive(Serialize)]
        struct Body<'a> {
            api_key: &'a str,
            device_id: &'a str,
        }
        let body = Body {
            api_key: agent_api_key.expose_secret(),
            device_id: mac,
        };
        self.ack(&self.core, &UNBIND_DEVICE_MAC, &body).await
    }
}

/// A MAC address as the docs write it: six pairs of hex digits joined by `:`
/// (`FC:01:2C:DB:14:30`), not the 32-digit device id. Public so that callers checking input
/// before anything is sent (the journal's batch rows) apply the very rule the client does.
pub fn check_mac(origin: Origin, mac: &str) -> Result<(), Error> {
    let parts: Vec<&str> = mac.split(':').collect();
    let ok = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            origin,
            "the device MAC must be six hex pairs joined by ':', like FC:01:2C:DB:14:30 \
             (not the 32-digit device id)",
        ))
    }
}

/// The filters of `devices/list`. Every field optional, sent as strings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DeviceFilter {
    /// `name`.
    pub name: Option<String>,
    /// `api_key`: the devices of the agent with this key ("注意：不是open_api_key").
    pub agent_api_key: Option<SecretString>,
    /// `device_id`: 设备SM, the MAC (`FC:01:2C:DB:14:30`).
    pub mac: Option<String>,
    /// `bin_id`: firmware id.
    pub bin_id: Option<String>,
    /// `version`: firmware version.
    pub version: Option<String>,
    /// `enable`.
    pub enabled: Option<bool>,
    /// `is_online`.
    pub online: Option<bool>,
    /// `type`: `"0"` 对话设备, `"1"` 终端设备.
    pub device_type: Option<String>,
    /// `page`, from 1.
    pub page: Option<u32>,
    /// `limit`: the page size.
    pub limit: Option<u32>,
}

impl DeviceFilter {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    option_setters! {
        /// Only devices with this name.
        fn name(name: impl Into<String>).into();
        /// Only devices of the agent with this key.
        fn agent_api_key(agent_api_key: impl Into<SecretString>).into();
        /// Only the device with this MAC.
        fn mac(mac: impl Into<String>).into();
        /// Only online (or offline) devices.
        fn online(online: bool);
        /// Only enabled (or disabled) devices.
        fn enabled(enabled: bool);
        /// The page to fetch.
        fn page(page: u32);
        /// The page size.
        fn limit(limit: u32);
    }

    fn to_wire(&self, origin: Origin) -> Result<Map<String, Value>, Error> {
        let mut body = Map::new();
        if let Some(name) = &self.name {
            checks::text(origin, "the device name", name)?;
            body.insert("name".into(), name.clone().into());
        }
        if let Some(key) = &self.agent_api_key {
            checks::token(origin, "the agent api_key", key.expose_secret())?;
            body.insert("api_key".into(), key.expose_secret().into());
        }
        if let Some(mac) = &self.mac {
            check_mac(origin, mac)?;
            body.insert("device_id".into(), mac.clone().into());
        }
        for (key, value) in [
            ("bin_id", &self.bin_id),
            ("version", &self.version),
            ("type", &self.device_type),
        ] {
            if let Some(value) = value {
                checks::token(origin, key, value)?;
                body.insert(key.into(), value.clone().into());
            }
        }
        if let Some(on) = self.enabled {
            body.insert("enable".into(), flag(on).into());
        }
        if let Some(on) = self.online {
            body.insert("is_online".into(), flag(on).into());
        }
        insert_page(origin, &mut body, self.page, self.limit)?;
        Ok(body)
    }
}

impl PagedQuery for DeviceFilter {
    fn at_page(self, number: u32, size: Option<u32>) -> Self {
        DeviceFilter {
            page: Some(number),
            limit: size,
            ..self
        }
    }
}

/// The changes of `devices/update` (更新设备): the device id and the fields to set.
/// `Debug` shows neither the Wi-Fi password nor the values of the local data.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct DeviceUpdate {
    /// `id`: 设备ID (required).
    pub id: String,
    /// Text fields, by their wire names (`name`, `version`, `wifi_ssid`, `net_ip`,
    /// `bin_id`, `nation`, `province`, `city`, `longitude`, `latitude`).
    pub fields: Vec<(&'static str, String)>,
    /// `enable`.
    pub enabled: Option<bool>,
    /// `wifi_pwd`: a secret.
    pub wifi_pwd: Option<SecretString>,
    /// `localData`: 设备本地数据, a JSON object (may hold a Wi-Fi password).
    pub local_data: Option<Map<String, Value>>,
}

impl fmt::Debug for DeviceUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceUpdate")
            .field("id", &self.id)
            .field("fields", &self.fields)
            .field("enabled", &self.enabled)
            .field("wifi_pwd", &self.wifi_pwd.as_ref().map(|_| "[redacted]"))
            .field(
                "local_data",
                &self
                    .local_data
                    .as_ref()
                    .map(|m| m.keys().collect::<Vec<_>>()),
            )
            .finish()
    }
}

impl DeviceUpdate {
    /// Changes to the device `id`.
    pub fn new(id: impl Into<String>) -> Self {
        DeviceUpdate {
            id: id.into(),
            ..Self::default()
        }
    }

    fn text(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.fields.retain(|(k, _)| *k != key);
        self.fields.push((key, value.into()));
        self
    }

    /// A new name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.text("name", name)
    }

    /// A new firmware version.
    pub fn version(self, version: impl Into<String>) -> Self {
        self.text("version", version)
    }

    /// A new Wi-Fi network name.
    pub fn wifi_ssid(self, ssid: impl Into<String>) -> Self {
        self.text("wifi_ssid", ssid)
    }

    option_setters! {
        /// A new Wi-Fi password (a secret).
        fn wifi_pwd(wifi_pwd: impl Into<SecretString>).into();
        /// Enabled or not.
        fn enabled(enabled: bool);
        /// The device's local data (`localData`).
        fn local_data(local_data: Map<String, Value>);
    }

    fn to_wire(&self, origin: Origin) -> Result<Map<String, Value>, Error> {
        object_id(origin, "device id", &self.id)?;
        let mut body = Map::new();
        body.insert("id".into(), self.id.clone().into());
        for (key, value) in &self.fields {
            checks::text(origin, key, value)?;
            body.insert((*key).into(), value.clone().into());
        }
        if let Some(on) = self.enabled {
            body.insert("enable".into(), flag(on).into());
        }
        if let Some(pwd) = &self.wifi_pwd {
            body.insert("wifi_pwd".into(), pwd.expose_secret().into());
        }
        if let Some(data) = &self.local_data {
            body.insert("localData".into(), Value::Object(data.clone()));
        }
        if body.len() == 1 {
            return Err(Error::invalid_input(origin, "nothing to change"));
        }
        Ok(body)
    }
}

/// A device (设备信息) as `devices/list` returns it.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Device {
    /// `id`: 设备ID (32 letters or digits).
    pub id: String,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `device_id`: 设备SM, the MAC address.
    #[serde(rename = "device_id", default)]
    pub mac: Option<String>,
    /// `equipment_id`: 绑定的超体ID, the agent it is bound to.
    #[serde(rename = "equipment_id", default)]
    pub agent_id: Option<String>,
    /// `api_key`: its agent's key (a secret; `""` in the example, read as `None`).
    #[serde(default, deserialize_with = "opt_secret")]
    pub api_key: Option<SecretString>,
    /// `enable`.
    #[serde(rename = "enable", default, deserialize_with = "opt_flag")]
    pub enabled: Option<bool>,
    /// `is_online`: 在线.
    #[serde(rename = "is_online", default, deserialize_with = "opt_flag")]
    pub online: Option<bool>,
    /// `wifi_ssid`.
    #[serde(default)]
    pub wifi_ssid: Option<String>,
    /// `wifi_pwd`: returned in clear text by the provider; a secret here.
    #[serde(default, deserialize_with = "opt_secret")]
    pub wifi_pwd: Option<SecretString>,
    /// `net_ip`: 配网IP.
    #[serde(default)]
    pub net_ip: Option<String>,
    /// `version`: 固件版本.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub version: Option<String>,
    /// `bin_id`: 固件ID.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub bin_id: Option<String>,
    /// `type`: `"0"` 对话设备 (default), `"1"` 终端设备 (`null` in the example).
    #[serde(rename = "type", default, deserialize_with = "lenient::opt_text")]
    pub device_type: Option<String>,
    /// `memory`: 凝忆晶胞, what the device remembers.
    #[serde(default)]
    pub memory: Option<String>,
    /// `nation`.
    #[serde(default)]
    pub nation: Option<String>,
    /// `province`.
    #[serde(default)]
    pub province: Option<String>,
    /// `city`.
    #[serde(default)]
    pub city: Option<String>,
    /// `latitude` (documented as "维度").
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub latitude: Option<String>,
    /// `longitude`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub longitude: Option<String>,
    /// `user_id`: 绑定的用户ID.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `user_name`.
    #[serde(default)]
    pub user_name: Option<String>,
    /// `user_phone`: a number in the example, a string accepted.
    #[serde(default, deserialize_with = "opt_phone")]
    pub user_phone: Option<String>,
    /// `sort`.
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub sort: Option<i64>,
    /// `create_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `update_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<SystemTime>,
}

/// One page of devices.
pub type DevicePage = Page<Device>;

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("espai", "test");

    #[test]
    fn macs() {
        assert!(check_mac(O, "FC:01:2C:DB:14:30").is_ok());
        for bad in [
            "",
            "FC:01:2C:DB:14",
            "2cf661bb42b642018ee13af7150b8310",
            "FC-01-2C-DB-14-30",
            "GG:01:2C:DB:14:30",
        ] {
            assert!(check_mac(O, bad).unwrap_err().nothing_sent(), "{bad}");
        }
    }

    #[test]
    fn update_debug_hides_the_password_and_local_data() {
        let mut data = Map::new();
        data.insert("wifi_pwd".into(), "SENTINEL-PWD".into());
        let update = DeviceUpdate::new("2cf661bb42b642018ee13af7150b8310")
            .wifi_pwd("SENTINEL-PWD")
            .local_data(data);
        assert!(!format!("{update:?}").contains("SENTINEL"));
        let body = update.to_wire(O).unwrap();
        assert_eq!(body["wifi_pwd"], "SENTINEL-PWD");
        assert_eq!(body["localData"]["wifi_pwd"], "SENTINEL-PWD");
    }
}
