//! The statistics crate's tests: the source's figures give the source's
//! sentences, shares add up, workbooks read back, imports report bad rows.

mod data;
mod figures;
mod report;
mod shares;
mod xlsx;
