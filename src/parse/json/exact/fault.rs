//! Turning a reader fault into the [`RowError`] a user sees: syntax before rules, offsets
//! within the row.

use super::lex::{Fault, Lexer};
use crate::location::RowLocation;
use crate::validate::RowError;

/// The error a fault makes for the row `row` at `loc`. A syntax error anywhere in the row
/// wins over a rule broken before it, as if the row had been parsed whole first.
pub(super) fn to_row_error(fault: Fault, row: &[u8], loc: &RowLocation) -> RowError {
    let fault = match fault {
        Fault::Rule(r) => {
            let mut lx = Lexer::new(row);
            match lx.skip_value(0).and_then(|()| lx.end()) {
                Err(syntax @ Fault::Syntax { .. }) => syntax,
                _ => Fault::Rule(r),
            }
        }
        syntax => syntax,
    };
    match fault {
        Fault::Rule(v) => v.at(loc),
        Fault::Syntax { at, what } => {
            // Offset within the row: the caller may move `loc.byte` (a unit's bytes can be
            // a window of the file), so the message must not hold a file offset of its own.
            let found = match row.get(at) {
                None => "the end of the row".to_string(),
                Some(_) => {
                    let s = String::from_utf8_lossy(&row[at..row.len().min(at + 4)]);
                    format!("{:?}", s.chars().next().unwrap_or('?'))
                }
            };
            RowError::new(
                loc,
                "",
                "a valid JSON row",
                format!("invalid JSON {at} bytes into the row: expected {what}, found {found}"),
            )
        }
    }
}
