//! The central server, tested as a real process on 127.0.0.1, each scenario
//! against SQLite and against PostgreSQL (`JIANBAN_TEST_PG_URL`, started by
//! `scripts/pg-test.sh`).

mod harness;

mod accounts;
mod allowed_actions;
mod api_contract;
mod authz;
mod bad_input;
mod chains;
mod crash;
mod decision_clock;
mod documents;
mod figures_agree;
mod import;
mod key_revocation;
mod limits;
mod login;
mod login_storm;
mod office;
mod pg_tls;
mod replay;
mod stats;
mod sync;
mod tls;
mod verify;
