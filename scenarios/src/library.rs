//! The scenario library: scenario files shipped inside the binary (`scenarios/library/`).

use crate::error::ScenarioError;
use crate::spec::Scenario;

/// Built-in scenarios: name and TOML text.
pub const BUILTIN: [(&str, &str); 6] = [
    ("demo", include_str!("../library/demo.toml")),
    ("realistic-day", include_str!("../library/realistic-day.toml")),
    ("faults", include_str!("../library/faults.toml")),
    ("scale-10x", include_str!("../library/scale-10x.toml")),
    ("ground-truth", include_str!("../library/ground-truth.toml")),
    ("incident", include_str!("../library/incident.toml")),
];

/// The text of a built-in scenario, or of a scenario file.
pub fn scenario_text(name_or_path: &str) -> Result<String, ScenarioError> {
    if let Some((_, text)) = BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
        return Ok((*text).to_string());
    }
    std::fs::read_to_string(name_or_path).map_err(|source| ScenarioError::NotFound {
        name: name_or_path.to_string(),
        builtins: BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        source,
    })
}

/// Load a built-in scenario by name, or a scenario file by path.
pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml(&scenario_text(name_or_path)?)
}
