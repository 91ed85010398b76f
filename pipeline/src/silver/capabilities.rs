//! Silver tables flattened from `network_capabilities` (§4.6): one report lists every
//! orchestrator a gateway polled, with capabilities, per-model constraints, prices and GPUs.
//!
//! Nested values are protobuf messages marshalled with `omitempty`: an absent number means 0
//! and an absent boolean false (a busy orchestrator shows `{"warm":true,"capacityInUse":1}`).

use std::collections::BTreeMap;

use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{opt_bool, opt_i64, opt_i128, opt_text};
use super::{Common, Silver, SilverOutput, silver_row};
use crate::DecoderVersion;

silver_row! {
    /// One orchestrator of a capabilities report.
    CapabilityOrchestratorRow => Dataset::CapabilityOrchestrators, {
        report_index: I,
        orchestrator_address: S,
        local_address: S,
        orchestrator_url: S,
        version: S,
        min_version: S,
        capability_ids: S,
        mandatory_ids: S,
        price_per_unit: D0,
        pixels_per_unit: D0,
        models: I,
        gpus: I,
    }
}

silver_row! {
    /// One model offered under one capability by one orchestrator.
    CapabilityModelRow => Dataset::CapabilityModels, {
        report_index: I,
        orchestrator_address: S,
        local_address: S,
        orchestrator_url: S,
        capability_id: I,
        capability_name: S,
        model_id: S,
        warm: B,
        capacity: I,
        capacity_in_use: I,
        runner_version: S,
    }
}

silver_row! {
    /// One advertised price: the default (`capability_id` NULL) or per capability/constraint.
    CapabilityPriceRow => Dataset::CapabilityPrices, {
        report_index: I,
        orchestrator_address: S,
        local_address: S,
        orchestrator_url: S,
        capability_id: I,
        capability_name: S,
        constraint: S,
        price_per_unit: D0,
        pixels_per_unit: D0,
        price_wei_per_unit: F,
    }
}

silver_row! {
    /// One GPU serving one pipeline/model on one orchestrator.
    CapabilityGpuRow => Dataset::CapabilityGpus, {
        report_index: I,
        orchestrator_address: S,
        local_address: S,
        orchestrator_url: S,
        pipeline: S,
        model_id: S,
        gpu_index: S,
        gpu_id: S,
        gpu_name: S,
        cuda_major: I,
        cuda_minor: I,
        memory_free_bytes: I,
        memory_total_bytes: I,
    }
}

#[derive(Deserialize)]
struct Orchestrator {
    #[serde(default, deserialize_with = "opt_text")]
    address: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    local_address: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_uri: Option<String>,
    #[serde(default)]
    capabilities: Option<Capabilities>,
    #[serde(default)]
    price_info: Option<Price>,
    #[serde(default)]
    capabilities_prices: Option<Vec<Option<Price>>>,
    #[serde(default)]
    hardware: Option<Vec<Option<Hardware>>>,
}

#[derive(Default, Deserialize)]
struct Capabilities {
    #[serde(default)]
    bitstring: Option<Vec<u64>>,
    #[serde(default)]
    mandatories: Option<Vec<u64>>,
    #[serde(default, deserialize_with = "opt_text")]
    version: Option<String>,
    #[serde(default)]
    constraints: Option<Constraints>,
}

#[derive(Default, Deserialize)]
struct Constraints {
    #[serde(default, rename = "minVersion", deserialize_with = "opt_text")]
    min_version: Option<String>,
    #[serde(default, rename = "PerCapability")]
    per_capability: Option<BTreeMap<String, Option<CapabilityConstraint>>>,
}

#[derive(Default, Deserialize)]
struct CapabilityConstraint {
    #[serde(default)]
    models: Option<BTreeMap<String, Option<ModelConstraint>>>,
}

#[derive(Default, Deserialize)]
struct ModelConstraint {
    #[serde(default, deserialize_with = "opt_bool")]
    warm: Option<bool>,
    #[serde(default, deserialize_with = "opt_i64")]
    capacity: Option<i64>,
    #[serde(default, rename = "runnerVersion", deserialize_with = "opt_text")]
    runner_version: Option<String>,
    #[serde(default, rename = "capacityInUse", deserialize_with = "opt_i64")]
    capacity_in_use: Option<i64>,
}

#[derive(Default, Deserialize)]
struct Price {
    #[serde(default, rename = "pricePerUnit", deserialize_with = "opt_i128")]
    price_per_unit: Option<i128>,
    #[serde(default, rename = "pixelsPerUnit", deserialize_with = "opt_i128")]
    pixels_per_unit: Option<i128>,
    #[serde(default, deserialize_with = "opt_i64")]
    capability: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    constraint: Option<String>,
}

#[derive(Default, Deserialize)]
struct Hardware {
    #[serde(default, deserialize_with = "opt_text")]
    pipeline: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    model_id: Option<String>,
    #[serde(default)]
    gpu_info: Option<BTreeMap<String, Option<Gpu>>>,
}

#[derive(Default, Deserialize)]
struct Gpu {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    major: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    minor: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    memory_free: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    memory_total: Option<i64>,
}

/// The display name of a capability id (`core/capabilities.go`).
pub(crate) fn capability_name(id: i64) -> Option<&'static str> {
    Some(match id {
        27 => "Text to image",
        28 => "Image to image",
        29 => "Image to video",
        30 => "Upscale",
        31 => "Audio to text",
        32 => "Segment anything 2",
        33 => "Llm",
        34 => "Image to text",
        35 => "Live video to video",
        36 => "Text to speech",
        37 => "byoc",
        _ => return None,
    })
}

/// Capability ids whose bits are set: bit `i` of word `w` is id `64·w + i`.
fn bit_ids(words: &[u64]) -> Option<String> {
    let ids: Vec<String> = words
        .iter()
        .enumerate()
        .flat_map(|(w, word)| {
            (0..64)
                .filter(move |bit| word >> bit & 1 == 1)
                .map(move |bit| (64 * w + bit).to_string())
        })
        .collect();
    (!ids.is_empty()).then(|| ids.join(","))
}

fn price_wei_per_unit(price: Option<i128>, pixels: Option<i128>) -> Option<f64> {
    let pixels = pixels.filter(|p| *p != 0)?;
    Some(price.unwrap_or(0) as f64 / pixels as f64)
}

/// A report's entries. Version 1 rejected the whole report when one entry had an unexpected
/// shape; from version 2 such an entry is rejected alone and described, the others kept.
pub(crate) fn decode(common: Common, data: &str, version: DecoderVersion) -> Result<SilverOutput, String> {
    let mut rejected_entries = Vec::new();
    let report: Vec<Option<Orchestrator>> = if version.accepts_entries_one_by_one() {
        let entries: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(data).map_err(|e| format!("network_capabilities payload: {e}"))?;
        entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                serde_json::from_str(entry.get()).unwrap_or_else(|e| {
                    rejected_entries.push(format!("entry {index}: {e}"));
                    None
                })
            })
            .collect()
    } else {
        serde_json::from_str(data).map_err(|e| format!("network_capabilities payload: {e}"))?
    };
    let rows = decode_entries(common, report)?;
    Ok(SilverOutput { rows, rejected_entries })
}

fn decode_entries(common: Common, report: Vec<Option<Orchestrator>>) -> Result<Vec<Silver>, String> {
    let mut rows = Vec::new();
    for (index, orchestrator) in report.into_iter().enumerate() {
        let Some(o) = orchestrator else { continue };
        let report_index = Some(index as i64);
        let address = o.address.map(|a| a.to_ascii_lowercase());
        let local_address = o.local_address.map(|a| a.to_ascii_lowercase());
        let url = o.orch_uri;
        let capabilities = o.capabilities.unwrap_or_default();
        let constraints = capabilities.constraints.unwrap_or_default();

        let mut models = 0;
        for (capability, constraint) in constraints.per_capability.unwrap_or_default() {
            let capability_id = capability.parse::<i64>().ok();
            for (model_id, model) in constraint.and_then(|c| c.models).unwrap_or_default() {
                let model = model.unwrap_or_default();
                models += 1;
                rows.push(Silver::CapabilityModel(CapabilityModelRow {
                    common: common.clone(),
                    report_index,
                    orchestrator_address: address.clone(),
                    local_address: local_address.clone(),
                    orchestrator_url: url.clone(),
                    capability_id,
                    capability_name: capability_id.and_then(capability_name).map(str::to_string),
                    model_id: Some(model_id),
                    warm: Some(model.warm.unwrap_or(false)),
                    capacity: Some(model.capacity.unwrap_or(0)),
                    capacity_in_use: Some(model.capacity_in_use.unwrap_or(0)),
                    runner_version: model.runner_version,
                }));
            }
        }

        let default_price = o.price_info;
        if let Some(price) = &default_price {
            rows.push(Silver::CapabilityPrice(price_row(
                &common,
                report_index,
                &address,
                &local_address,
                &url,
                price,
                true,
            )));
        }
        for price in o.capabilities_prices.unwrap_or_default().into_iter().flatten() {
            rows.push(Silver::CapabilityPrice(price_row(
                &common,
                report_index,
                &address,
                &local_address,
                &url,
                &price,
                false,
            )));
        }

        let mut gpus = 0;
        for hardware in o.hardware.unwrap_or_default().into_iter().flatten() {
            for (gpu_index, gpu) in hardware.gpu_info.unwrap_or_default() {
                let gpu = gpu.unwrap_or_default();
                gpus += 1;
                rows.push(Silver::CapabilityGpu(CapabilityGpuRow {
                    common: common.clone(),
                    report_index,
                    orchestrator_address: address.clone(),
                    local_address: local_address.clone(),
                    orchestrator_url: url.clone(),
                    pipeline: hardware.pipeline.clone(),
                    model_id: hardware.model_id.clone(),
                    gpu_index: Some(gpu_index),
                    gpu_id: gpu.id,
                    gpu_name: gpu.name,
                    cuda_major: Some(gpu.major.unwrap_or(0)),
                    cuda_minor: Some(gpu.minor.unwrap_or(0)),
                    memory_free_bytes: Some(gpu.memory_free.unwrap_or(0)),
                    memory_total_bytes: Some(gpu.memory_total.unwrap_or(0)),
                }));
            }
        }

        rows.push(Silver::CapabilityOrchestrator(CapabilityOrchestratorRow {
            common: common.clone(),
            report_index,
            orchestrator_address: address,
            local_address,
            orchestrator_url: url,
            version: capabilities.version,
            min_version: constraints.min_version,
            capability_ids: capabilities.bitstring.as_deref().and_then(bit_ids),
            mandatory_ids: capabilities.mandatories.as_deref().and_then(bit_ids),
            price_per_unit: default_price.as_ref().map(|p| p.price_per_unit.unwrap_or(0)),
            pixels_per_unit: default_price.as_ref().map(|p| p.pixels_per_unit.unwrap_or(0)),
            models: Some(models),
            gpus: Some(gpus),
        }));
    }
    Ok(rows)
}

fn price_row(
    common: &Common,
    report_index: Option<i64>,
    address: &Option<String>,
    local_address: &Option<String>,
    url: &Option<String>,
    price: &Price,
    is_default: bool,
) -> CapabilityPriceRow {
    let capability_id = if is_default {
        None
    } else {
        Some(price.capability.unwrap_or(0))
    };
    CapabilityPriceRow {
        common: common.clone(),
        report_index,
        orchestrator_address: address.clone(),
        local_address: local_address.clone(),
        orchestrator_url: url.clone(),
        capability_id,
        capability_name: capability_id.and_then(capability_name).map(str::to_string),
        constraint: price.constraint.clone(),
        price_per_unit: Some(price.price_per_unit.unwrap_or(0)),
        pixels_per_unit: Some(price.pixels_per_unit.unwrap_or(0)),
        price_wei_per_unit: price_wei_per_unit(price.price_per_unit, price.pixels_per_unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bitstrings() {
        // From the telemetry contract: 34426871807 has bits {0–12, 14, 26, 35}.
        assert_eq!(
            bit_ids(&[34_426_871_807]).unwrap(),
            "0,1,2,3,4,5,6,7,8,9,10,11,12,14,26,35"
        );
        assert_eq!(bit_ids(&[0, 1]).unwrap(), "64");
        assert_eq!(bit_ids(&[]), None);
    }
}
