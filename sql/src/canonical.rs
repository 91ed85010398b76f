//! Canonical text of rows: one CSV line per row, the same for the same values whatever the
//! file or batch boundaries. Snapshot verification compares rows in this form, and the golden
//! replay test commits it as its expectations.
//!
//! A NULL is an empty field and an empty string is `""`, so the two never collide; fields
//! with a comma, quote or line break are quoted with quotes doubled (RFC 4180).

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::error::{Error, Result};

/// The header line of `batch`'s schema.
pub fn header(batch: &RecordBatch) -> String {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| quote(f.name()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Every row of `batches` as a canonical CSV line, in order.
pub fn rows(batches: &[RecordBatch]) -> Result<Vec<String>> {
    let options = FormatOptions::default().with_null("\u{0}");
    let mut lines = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Execution(format!("cannot render rows: {e}")))?;
        for row in 0..batch.num_rows() {
            let fields: Vec<String> = formatters
                .iter()
                .map(|f| {
                    let text = f.value(row).to_string();
                    match text.as_str() {
                        "\u{0}" => String::new(),
                        "" => "\"\"".to_string(),
                        _ => quote(&text),
                    }
                })
                .collect();
            lines.push(fields.join(","));
        }
    }
    Ok(lines)
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn nulls_empty_strings_and_commas_stay_distinct() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![None, Some(""), Some("a,\"b\"")])),
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
            ],
        )
        .unwrap();
        assert_eq!(header(&batch), "name,n");
        assert_eq!(rows(&[batch]).unwrap(), [",1", "\"\",", "\"a,\"\"b\"\"\",3"]);
    }
}
