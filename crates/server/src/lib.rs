//! 建办 central server (代表履职服务平台).
//!
//! - [`db`]: the repository boundary over SQLite and PostgreSQL;
//! - [`service`]: every operation, decided by the domain crate's rules;
//! - [`http`]: the HTTP API (protocol in `jianban-protocol`);
//! - [`cli`]: `serve` and the office's subcommands;
//! - [`signoff`]: the 不审核不答复 seam checked before any reply goes out.

pub mod cli;
pub mod db;
pub mod error;
pub mod http;
pub mod service;
pub mod signoff;
