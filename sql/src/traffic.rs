//! Traffic classes: which sessions and jobs are probes (synthetic test traffic) rather than
//! organic demand.
//!
//! On the real `streaming_events` topic 386 of 526 distinct streams of a sample were the AI
//! job tester's `aiJobTesterStream-<ns>` probes (`livepeer-telemetry.md`, topic sample). Mixed
//! into demand and scores they would measure the tester, not the network's users. So a
//! session or job is `probe` when one of the configured rules matches it and `organic`
//! otherwise; the rule that matched is recorded beside the class, scores and SLA rows are
//! computed per class, and the public answers default to organic.
//!
//! A rule is `FIELD=GLOB`: the field is `stream_id`, `gateway` or `org` (the source's
//! identity), the glob matches the whole value with `*` for any run of characters. The rules
//! are reference data like the gateway regions: registered as the table `probe_rules`
//! (`position`, `rule`, `field`, `pattern` — a SQL LIKE pattern) that the rollups join with,
//! recorded in the rollup state and in snapshot manifests.

/// The rules used when none are configured: the AI job tester's stream ids, and the sender
/// naap's own test-load runner puts on its envelopes (`naap-probe-<region>`).
pub const DEFAULT_PROBE_RULES: [&str; 2] = ["stream_id=aiJobTesterStream-*", "gateway=naap-probe-*"];

/// The traffic classes a session or job can be in.
pub const CLASSES: [&str; 2] = ["organic", "probe"];

/// The predicate that keeps one traffic class of a gold table (`table` a qualifier or
/// empty); `None` is every class. Rows written before traffic classes (NULL) are organic.
pub fn class_predicate(table: &str, class: Option<TrafficClass>) -> Option<String> {
    let qualifier = if table.is_empty() {
        String::new()
    } else {
        format!("{table}.")
    };
    class.map(|class| format!("coalesce({qualifier}traffic_class, 'organic') = '{}'", class.name()))
}

/// A traffic class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficClass {
    /// The network's users.
    Organic,
    /// Synthetic test traffic a probe rule recognised.
    Probe,
}

impl TrafficClass {
    /// `organic` or `probe`, as stored.
    pub fn name(self) -> &'static str {
        match self {
            TrafficClass::Organic => CLASSES[0],
            TrafficClass::Probe => CLASSES[1],
        }
    }

    /// The class called `name`.
    pub fn from_name(name: &str) -> Option<TrafficClass> {
        [TrafficClass::Organic, TrafficClass::Probe]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

/// The fields a probe rule can match.
pub const RULE_FIELDS: [&str; 3] = ["stream_id", "gateway", "org"];

/// One probe rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProbeRule {
    /// `stream_id`, `gateway` or `org`.
    pub field: String,
    /// The glob: `*` stands for any run of characters, every other character for itself.
    pub glob: String,
}

impl ProbeRule {
    /// Parses `FIELD=GLOB`.
    pub fn parse(text: &str) -> Result<ProbeRule, String> {
        let bad = |why: &str| {
            format!(
                "probe rule {text:?}: {why} (expected FIELD=GLOB, FIELD one of stream_id, gateway, org; e.g. stream_id=aiJobTesterStream-*)"
            )
        };
        let (field, glob) = text.split_once('=').ok_or_else(|| bad("no '='"))?;
        let (field, glob) = (field.trim(), glob.trim());
        if !RULE_FIELDS.contains(&field) {
            return Err(bad(&format!("unknown field {field:?}")));
        }
        if glob.is_empty() || glob.chars().all(|c| c == '*') {
            return Err(bad("the glob must name something besides '*'"));
        }
        // Commas separate rules in NAAP_PROBE_RULES and in the recorded rollup state.
        if glob.chars().any(|c| c == ',' || c.is_whitespace()) {
            return Err(bad("the glob cannot contain a comma or whitespace"));
        }
        Ok(ProbeRule {
            field: field.to_string(),
            glob: glob.to_string(),
        })
    }

    /// The rule as written (`FIELD=GLOB`): what sessions record as `probe_rule`.
    pub fn name(&self) -> String {
        format!("{}={}", self.field, self.glob)
    }

    /// The glob as a SQL LIKE pattern (escape character `\`): `*` becomes `%`, and `%`, `_`
    /// and `\` match themselves.
    pub fn like_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.glob.len() + 4);
        for c in self.glob.chars() {
            match c {
                '*' => pattern.push('%'),
                '%' | '_' | '\\' => {
                    pattern.push('\\');
                    pattern.push(c);
                }
                c => pattern.push(c),
            }
        }
        pattern
    }

    /// Whether the rule matches `value` of its field (what the SQL decides; for tests and
    /// for callers that classify outside SQL).
    pub fn matches(&self, value: &str) -> bool {
        glob_matches(self.glob.as_bytes(), value.as_bytes())
    }
}

/// Parses configured rules: none given means [`DEFAULT_PROBE_RULES`]; the single word `none`
/// means no rule (everything is organic). Order is kept: the first rule that matches is the
/// one recorded.
pub fn parse_probe_rules(texts: &[String]) -> Result<Vec<ProbeRule>, String> {
    match texts {
        [] => Ok(default_probe_rules()),
        [only] if only.trim() == "none" => Ok(Vec::new()),
        texts => {
            let rules = texts
                .iter()
                .map(|t| ProbeRule::parse(t))
                .collect::<Result<Vec<_>, _>>()?;
            for (i, rule) in rules.iter().enumerate() {
                if rules[..i].contains(rule) {
                    return Err(format!("probe rule {:?} is given twice", rule.name()));
                }
            }
            Ok(rules)
        }
    }
}

/// [`DEFAULT_PROBE_RULES`], parsed.
pub fn default_probe_rules() -> Vec<ProbeRule> {
    DEFAULT_PROBE_RULES
        .iter()
        .map(|t| ProbeRule::parse(t).expect("the default probe rules parse"))
        .collect()
}

fn glob_matches(glob: &[u8], value: &[u8]) -> bool {
    match glob.split_first() {
        None => value.is_empty(),
        Some((b'*', rest)) => (0..=value.len()).any(|skip| glob_matches(rest, &value[skip..])),
        Some((c, rest)) => value.first() == Some(c) && glob_matches(rest, &value[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_recognise_the_ai_job_tester_and_naaps_own_probe() {
        let rules = parse_probe_rules(&[]).unwrap();
        assert_eq!(rules.len(), 2);
        assert!(rules[0].matches("aiJobTesterStream-1774341234567890123"));
        assert!(!rules[0].matches("stream-o5s73x-mk5zc8fy"));
        assert!(!rules[0].matches("xaiJobTesterStream-1"));
        assert!(rules[1].matches("naap-probe-eu-west"));
        assert_eq!(rules[0].name(), "stream_id=aiJobTesterStream-*");
    }

    #[test]
    fn like_patterns_escape_what_like_would_read_as_wildcards() {
        let rule = ProbeRule::parse("gateway=gw_1%*").unwrap();
        assert_eq!(rule.like_pattern(), "gw\\_1\\%%");
        assert!(rule.matches("gw_1%-tester"));
        assert!(!rule.matches("gwx1%-tester"));
    }

    #[test]
    fn class_predicates_count_unclassified_rows_as_organic() {
        assert_eq!(
            class_predicate("s", Some(TrafficClass::Organic)).unwrap(),
            "coalesce(s.traffic_class, 'organic') = 'organic'"
        );
        assert_eq!(
            class_predicate("", Some(TrafficClass::Probe)).unwrap(),
            "coalesce(traffic_class, 'organic') = 'probe'"
        );
        assert_eq!(class_predicate("", None), None);
        assert_eq!(TrafficClass::from_name("probe"), Some(TrafficClass::Probe));
        assert_eq!(TrafficClass::from_name("all"), None);
    }

    #[test]
    fn none_disables_and_bad_rules_say_what_is_expected() {
        assert!(parse_probe_rules(&["none".into()]).unwrap().is_empty());
        for bad in ["stream_id", "host=x*", "org=", "org=**", "=x", "org=a,b", "org=a b"] {
            let error = parse_probe_rules(&[bad.into()]).unwrap_err();
            assert!(error.contains("FIELD=GLOB"), "{bad}: {error}");
        }
        let twice = parse_probe_rules(&["org=t*".into(), " org = t* ".into()]).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
    }
}
