//! Silver `orchestrator_registry`: naap's `naap_orchestrator_registry` family, the answer of
//! a gateway's `/registeredOrchestrators` (telemetry reference §7.3) as collected by
//! `naap collect`. The payload is the answer unchanged: an array of `eth/types.Transcoder`
//! objects with PascalCase keys.
//!
//! Go marshals `*big.Int` fields as bare JSON numbers, and `DelegatedStake` (LPT base units)
//! exceeds what an f64 or a u64 holds, so every number is read from its raw text
//! ([`RawValue`]) and parsed exactly.

use lakehouse_layout::Dataset;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::parse_decimal;
use super::{Common, Silver, silver_row};

silver_row! {
    /// One registered orchestrator of one registry answer.
    OrchestratorRegistryRow => Dataset::OrchestratorRegistry, {
        orchestrator_address: S,
        service_uri: S,
        active: B,
        status: S,
        delegated_stake: D0,
        reward_cut_ppm: I,
        fee_share_ppm: I,
        last_reward_round: I,
        activation_round: I,
        deactivation_round: I,
        last_active_stake_update_round: I,
        price_per_pixel: S,
        price_wei_per_pixel: F,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Transcoder<'a> {
    #[serde(default)]
    address: Option<String>,
    #[serde(default, rename = "ServiceURI")]
    service_uri: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, borrow)]
    delegated_stake: Option<&'a RawValue>,
    #[serde(default, borrow)]
    reward_cut: Option<&'a RawValue>,
    #[serde(default, borrow)]
    fee_share: Option<&'a RawValue>,
    #[serde(default, borrow)]
    last_reward_round: Option<&'a RawValue>,
    #[serde(default, borrow)]
    activation_round: Option<&'a RawValue>,
    #[serde(default, borrow)]
    deactivation_round: Option<&'a RawValue>,
    #[serde(default, borrow)]
    last_active_stake_update_round: Option<&'a RawValue>,
    #[serde(default, borrow)]
    price_per_pixel: Option<&'a RawValue>,
}

/// The text of a raw JSON number or string; `None` for null.
fn raw_text(raw: Option<&RawValue>) -> Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        return Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()));
    }
    Ok(Some(text.to_string()))
}

/// An exact integer of any size up to 38 digits, sent as a bare number or digit string.
fn exact(raw: Option<&RawValue>, field: &str) -> Result<Option<i128>, String> {
    match raw_text(raw)? {
        None => Ok(None),
        Some(text) => parse_decimal(&text, 0)
            .map(Some)
            .ok_or_else(|| format!("{field} is not an exact integer of at most 38 digits: {text}")),
    }
}

fn exact_i64(raw: Option<&RawValue>, field: &str) -> Result<Option<i64>, String> {
    exact(raw, field)?
        .map(|v| i64::try_from(v).map_err(|_| format!("{field} is out of range: {v}")))
        .transpose()
}

/// A big rational (`"1200"`, `"3/2"`) as wei per pixel.
fn rational(text: &str) -> Option<f64> {
    let (numerator, denominator) = text.split_once('/').unwrap_or((text, "1"));
    let numerator = parse_decimal(numerator.trim(), 0)? as f64;
    let denominator = parse_decimal(denominator.trim(), 0)? as f64;
    (denominator != 0.0).then(|| numerator / denominator)
}

pub(crate) fn decode(common: Common, data: &str) -> Result<Vec<Silver>, String> {
    let transcoders: Vec<Transcoder<'_>> =
        serde_json::from_str(data).map_err(|e| format!("naap_orchestrator_registry payload: {e}"))?;
    transcoders
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let context = |e: String| format!("orchestrator {i}: {e}");
            let price_per_pixel = raw_text(t.price_per_pixel).map_err(context)?;
            let price_wei_per_pixel = match &price_per_pixel {
                None => None,
                Some(text) => {
                    Some(rational(text).ok_or_else(|| context(format!("PricePerPixel is not a rational: {text}")))?)
                }
            };
            Ok(Silver::OrchestratorRegistry(OrchestratorRegistryRow {
                common: common.clone(),
                orchestrator_address: t
                    .address
                    .map(|a| a.trim().to_ascii_lowercase())
                    .filter(|a| !a.is_empty()),
                service_uri: t.service_uri.filter(|u| !u.is_empty()),
                active: t.active,
                status: t.status.filter(|s| !s.is_empty()),
                delegated_stake: exact(t.delegated_stake, "DelegatedStake").map_err(context)?,
                reward_cut_ppm: exact_i64(t.reward_cut, "RewardCut").map_err(context)?,
                fee_share_ppm: exact_i64(t.fee_share, "FeeShare").map_err(context)?,
                last_reward_round: exact_i64(t.last_reward_round, "LastRewardRound").map_err(context)?,
                activation_round: exact_i64(t.activation_round, "ActivationRound").map_err(context)?,
                deactivation_round: exact_i64(t.deactivation_round, "DeactivationRound").map_err(context)?,
                last_active_stake_update_round: exact_i64(
                    t.last_active_stake_update_round,
                    "LastActiveStakeUpdateRound",
                )
                .map_err(context)?,
                price_per_pixel,
                price_wei_per_pixel,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stake_beyond_two_to_the_53_stays_exact() {
        let data = r#"[{"Address":"0xD00354656922168815FCD1E51CBDDB9E359E3C7F","ServiceURI":"https://o:8935",
            "DelegatedStake":123456789012345678901234,"RewardCut":250000,"FeeShare":750000,
            "Active":true,"Status":"Registered","PricePerPixel":"3/2"}]"#;
        let rows = decode(Common::default(), data).unwrap();
        let Silver::OrchestratorRegistry(row) = &rows[0] else {
            panic!()
        };
        assert_eq!(row.delegated_stake, Some(123_456_789_012_345_678_901_234));
        assert_eq!(
            row.orchestrator_address.as_deref(),
            Some("0xd00354656922168815fcd1e51cbddb9e359e3c7f")
        );
        assert_eq!(row.price_wei_per_pixel, Some(1.5));
        assert_eq!(row.reward_cut_ppm, Some(250_000));
    }

    #[test]
    fn floats_and_garbage_are_refused_with_the_field_named() {
        let float = decode(Common::default(), r#"[{"DelegatedStake":1.5e24}]"#).unwrap_err();
        assert!(float.contains("DelegatedStake"), "{float}");
        let rational = decode(Common::default(), r#"[{"PricePerPixel":"1/0"}]"#).unwrap_err();
        assert!(rational.contains("PricePerPixel"), "{rational}");
        assert!(decode(Common::default(), r#"{"Address":"0x1"}"#).is_err());
    }
}
