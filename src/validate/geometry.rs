//! Geometry rules: a value is WKT text (`POINT (1 2)`, `POLYGON ((...))`...), checked by the
//! `wkt` crate and kept in its canonical form, which `query` shows.

use std::str::FromStr;

use super::Violation;
use crate::schema::FieldSchema;

/// What a Geometry value looks like, for messages.
pub const GEOMETRY_WANT: &str = "WKT text (e.g. \"POINT (1 2)\")";

/// A Geometry given as text: its canonical WKT.
pub fn geometry(field: &FieldSchema, text: &str) -> Result<String, Violation> {
    let refuse = |why: String| {
        let shown: String = text.chars().take(80).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        Violation::new(
            &field.name,
            GEOMETRY_WANT,
            format!("{shown:?}{more} ({why})"),
        )
    };
    let parsed = wkt::Wkt::<f64>::from_str(text.trim()).map_err(|e| refuse(e.to_string()))?;
    let canonical = parsed.to_string();
    // The crate reads `nan` and `inf` as coordinates; a geometry needs finite ones.
    if canonical.contains("NaN") || canonical.contains("inf") {
        return Err(refuse("a coordinate is not a finite number".into()));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DataType;

    #[test]
    fn wkt_is_checked_and_made_canonical() {
        let f = FieldSchema::new("g", DataType::Geometry);
        assert_eq!(
            geometry(&f, "POINT(1 2)").unwrap(),
            geometry(&f, " point ( 1  2 ) ").unwrap()
        );
        let line = geometry(&f, "LINESTRING (0 0, 1 1.5)").unwrap();
        assert!(line.starts_with("LINESTRING"), "{line}");
        for bad in [
            "",
            "POINT",
            "POINT (1)",
            "CIRCLE (1 2)",
            "POINT (1 2",
            "POINT (nan 1)",
        ] {
            let e = geometry(&f, bad).unwrap_err();
            assert_eq!(e.expected, GEOMETRY_WANT, "{bad}");
            assert_eq!(e.field, "g");
        }
    }
}
