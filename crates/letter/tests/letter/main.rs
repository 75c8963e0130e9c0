//! Integration tests for the letter crate: one binary, data-driven where it fits.

mod bad_input;
mod exports;
mod golden;
mod support;
