//! Command line: `serve`, and the office's operations as subcommands that
//! act on the database directly (an office can work without a UI).

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use jianban_domain::{Action, Evaluation, HandlingRole, UserRole};
use jianban_protocol::{
    AssignItem, AssignRequest, AssignmentQuery, ImportQuery, NewUnit, NewUser, UnitPart,
};

use crate::db::Db;
use crate::error::ApiError;
use crate::http::{router, AppState};
use crate::service::{key_file, Options, Service};

mod accounts;
mod stats;
mod verify;

#[derive(Parser)]
#[command(
    name = "jianban-server",
    version,
    about = "建办 central server (代表履职服务平台)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Where the server keeps its SQLite database and uploaded documents.
    #[arg(long)]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://jianban:pw@127.0.0.1/jianban.
    #[arg(long, env = "JIANBAN_DATABASE_URL")]
    database_url: Option<String>,
    /// PostgreSQL schema for every table (created when missing).
    #[arg(long)]
    database_schema: Option<String>,
}

#[derive(Args, Clone)]
struct OfficeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The office user acting (recorded in the audit log); default: the
    /// command line itself.
    #[arg(long = "as")]
    as_user: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Load the demo data set (once) and print the demo logins.
        #[arg(long)]
        demo: bool,
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// The access tokens' signing keys (owner-only, kept apart from the
        /// database); created at the first start. Default: token-keys in
        /// the data directory.
        #[arg(long)]
        token_key_file: Option<PathBuf>,
    },
    /// Make a new token signing key; the previous one keeps verifying the
    /// tokens it signed for one access-token lifetime after the server's
    /// next start, so nobody is logged out. Restart the server afterwards.
    RotateTokenKey {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        token_key_file: Option<PathBuf>,
    },
    /// Add a handling unit.
    AddUnit {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        doc_prefix: String,
    },
    /// Show a unit's approval chain (审核流程), or set it with --step, in order:
    /// --step 承办科室负责人审核:case_handler --step 分管领导审核:deputy_head
    /// --step 主要负责人审核签发:head
    ApprovalChain {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        unit: String,
        /// "title:role"; roles: case_handler, deputy_head, head.
        #[arg(long = "step")]
        steps: Vec<String>,
    },
    /// Add a user; the password is read from standard input.
    AddUser {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// office_staff, liaison, case_handler, deputy_head or head.
        #[arg(long)]
        role: String,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Import a session's suggestions from .xlsx or CSV.
    Import {
        #[command(flatten)]
        o: OfficeArgs,
        file: PathBuf,
        #[arg(long)]
        session_id: String,
        #[arg(long)]
        session_name: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// 预交办: propose units for a suggestion.
    PreAssign {
        #[command(flatten)]
        o: OfficeArgs,
        #[command(flatten)]
        parts: Parts,
    },
    /// 正式交办: assign a suggestion to its units.
    Assign {
        #[command(flatten)]
        o: OfficeArgs,
        #[command(flatten)]
        parts: Parts,
        /// Date of formal assignment (default today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// Decide a unit's adjustment request.
    DecideAdjustment {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        approve: bool,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// 延期.
    Extend {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        until: NaiveDate,
        #[arg(long)]
        reason: String,
    },
    /// Declines a unit's 延期申请.
    DeclineExtension {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        comment: String,
    },
    /// 催办.
    Urge {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        message: String,
    },
    /// 退回重办.
    Return {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        reasons: String,
    },
    /// Record the deputy's evaluation: satisfied, basically_satisfied, dissatisfied.
    Evaluate {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        evaluation: String,
    },
    /// 办结.
    Conclude {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
    },
    /// Reopen a concluded case.
    Reopen {
        #[command(flatten)]
        o: OfficeArgs,
        assignment: String,
        #[arg(long)]
        reason: String,
    },
    /// Publish the holiday calendar (JSON, format jianban-holiday-calendar/1).
    PublishCalendar {
        #[command(flatten)]
        o: OfficeArgs,
        file: PathBuf,
    },
    /// List assignments as JSON.
    List {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        overdue: bool,
    },
    /// Load the demo data set (once).
    Demo {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Move a device to another user (a PC handed to a colleague): the
    /// device id belongs to the user who first logged in with it until the
    /// office moves it; the previous user's sessions on it end.
    MoveDevice {
        #[command(flatten)]
        o: OfficeArgs,
        /// The device id (`device list`, or the desktop's 设置 page).
        #[arg(long)]
        id: String,
        /// The user the device now belongs to.
        #[arg(long)]
        to_user: String,
    },
    /// Revoke an approver's signing key (a lost PC, a person who left):
    /// decisions signed with it that reach the server from now on are
    /// refused; those it received before keep counting. Audited.
    RevokeKey {
        #[command(flatten)]
        o: OfficeArgs,
        /// The approver's user id.
        #[arg(long)]
        user: String,
        /// The public key (hex), as `GET /v1/keys` lists it.
        #[arg(long)]
        key: String,
        /// Why (required).
        #[arg(long)]
        reason: String,
    },
    #[command(flatten)]
    Stats(stats::StatsCommand),
    #[command(flatten)]
    Accounts(accounts::AccountCommand),
    /// Check a sealed reply letter (PDF) against the registered signing
    /// keys. Exit status: 0 valid, 1 tampered, 2 unknown signer.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// The sealed letter.
        letter: PathBuf,
    },
}

#[derive(Args, Clone)]
struct Parts {
    suggestion: String,
    #[arg(long)]
    lead: Option<String>,
    #[arg(long = "co")]
    co_handlers: Vec<String>,
    #[arg(long = "split")]
    split: Vec<String>,
}

impl Parts {
    /// The one suggestion's request; pre-assignment leaves the date out.
    fn request(&self, assigned_on: Option<NaiveDate>) -> AssignRequest {
        let mut units = Vec::new();
        let mut add = |unit_id: &String, role| {
            units.push(UnitPart {
                unit_id: unit_id.clone(),
                role,
            })
        };
        if let Some(l) = &self.lead {
            add(l, HandlingRole::Lead);
        }
        self.co_handlers
            .iter()
            .for_each(|u| add(u, HandlingRole::CoHandler));
        self.split.iter().for_each(|u| add(u, HandlingRole::Split));
        AssignRequest {
            items: vec![AssignItem {
                suggestion_id: self.suggestion.clone(),
                units,
            }],
            assigned_on,
        }
    }
}

fn open_service(db: &DbArgs, options: Options) -> Result<Service, ApiError> {
    let database = match &db.database_url {
        // A database that cannot be reached is the operator's to fix (URL,
        // TLS, certificates): say why instead of "internal error".
        Some(url) => {
            Db::open_postgres(url, db.database_schema.as_deref()).map_err(|e| match e {
                crate::db::DbError::Open(m) => {
                    ApiError::bad_request("db.open", format!("无法打开数据库：{m}"))
                }
                e => e.into(),
            })?
        }
        None => {
            std::fs::create_dir_all(&db.data_dir).map_err(|e| {
                ApiError::Internal(format!("无法创建数据目录{}：{e}", db.data_dir.display()))
            })?;
            Db::open_sqlite(&db.data_dir)?
        }
    };
    Ok(Service::open(database, &db.data_dir, options)?)
}

fn print<T: Serialize>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("output serializes")
    );
}

fn parse_enum<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(v.to_string()))
        .map_err(|_| ApiError::bad_request("cli.bad_value", format!("{what}“{v}”无效")))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JIANBAN_LOG")
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // `verify` answers with its own exit status (the verdict).
    if let Command::Verify { db, letter } = &cli.command {
        return match open_service(db, Options::default()).and_then(|svc| verify::run(&svc, letter))
        {
            Ok(code) => code,
            Err(e) => {
                eprintln!("错误（{}）：{e}", e.code());
                ExitCode::from(3)
            }
        };
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let ApiError::Internal(detail) = &e {
                // The operator at the console is the one who needs the detail.
                tracing::error!(%detail, "internal error");
            }
            eprintln!("错误（{}）：{e}", e.code());
            if let ApiError::Import { errors, .. } = &e {
                for r in errors {
                    eprintln!(
                        "  第{}行 {}：{}",
                        r.row,
                        r.column.clone().unwrap_or_default(),
                        r.message
                    );
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// One `--step title:role` of `approval-chain`.
fn parse_step(s: &str) -> Result<jianban_domain::ApprovalStep, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "request.bad_step",
            format!("审核步骤“{s}”格式有误，应为“名称:岗位”，岗位为 case_handler、deputy_head 或 head，例如“主要负责人审核签发:head”。"),
        )
    };
    let (title, role) = s.rsplit_once(':').ok_or_else(bad)?;
    let role = serde_json::from_value(serde_json::Value::String(role.trim().to_string()))
        .map_err(|_| bad())?;
    Ok(jianban_domain::ApprovalStep {
        title: title.trim().to_string(),
        role,
    })
}

/// A password from standard input (never from the command line, where
/// other users of the machine could read it), without the line break.
fn read_password() -> Result<String, ApiError> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

fn read_file(file: &Path) -> Result<Vec<u8>, ApiError> {
    std::fs::read(file).map_err(|e| {
        ApiError::bad_request("cli.unreadable", format!("无法读取{}：{e}", file.display()))
    })
}

/// The crash test's fault seam. Only a build with the `fault-injection`
/// feature (the tests' build) reads the variable: a production binary has
/// no way to be told to kill itself.
#[cfg(feature = "fault-injection")]
fn fault_kill_after_push_commit() -> bool {
    std::env::var("JIANBAN_FAULT_KILL_AFTER_PUSH_COMMIT").is_ok_and(|v| v == "1")
}

#[cfg(not(feature = "fault-injection"))]
fn fault_kill_after_push_commit() -> bool {
    false
}

fn office(o: &OfficeArgs) -> Result<(Service, jianban_domain::Actor), ApiError> {
    let svc = open_service(&o.db, Options::default())?;
    let actor = svc.cli_actor(o.as_user.as_deref())?;
    Ok((svc, actor))
}

fn run(command: Command) -> Result<(), ApiError> {
    match command {
        Command::Serve {
            db,
            listen,
            demo,
            tls_cert,
            tls_key,
            token_key_file,
        } => {
            let options = Options {
                kill_after_push_commit: fault_kill_after_push_commit(),
            };
            let mut svc = open_service(&db, options)?;
            svc.load_token_keys(
                &token_key_file.unwrap_or_else(|| key_file::default_path(&db.data_dir)),
            )?;
            if demo {
                svc.load_demo(&jianban_domain::demo::demo_data())?;
                print_demo_logins();
            }
            let tls = tls_cert.zip(tls_key);
            serve(Arc::new(svc), listen, tls)
        }
        Command::Verify { .. } => unreachable!("handled in main"),
        Command::RotateTokenKey { db, token_key_file } => {
            let svc = open_service(&db, Options::default())?;
            let path = token_key_file.unwrap_or_else(|| key_file::default_path(&db.data_dir));
            let keys = key_file::rotate(&path, &svc.db, chrono::Utc::now().timestamp())?;
            let id = keys.current().map(|k| k.id.as_str()).unwrap_or_default();
            println!(
                "新的令牌签名密钥{id}已写入{}。请重启服务器使其生效；旧密钥在重启后{}分钟内仍可验证已发出的令牌，用户无需重新登录。",
                path.display(),
                crate::service::token::ACCESS_TTL_SECS / 60
            );
            Ok(())
        }
        Command::Demo { db } => {
            let svc = open_service(&db, Options::default())?;
            let loaded = svc.load_demo(&jianban_domain::demo::demo_data())?;
            println!(
                "{}",
                if loaded {
                    "演示数据已导入"
                } else {
                    "演示数据此前已导入"
                }
            );
            print_demo_logins();
            Ok(())
        }
        Command::AddUnit {
            o,
            id,
            name,
            doc_prefix,
        } => {
            let (svc, actor) = office(&o)?;
            svc.add_unit(
                &actor,
                &NewUnit {
                    id,
                    name,
                    doc_prefix,
                },
            )
        }
        Command::ApprovalChain { o, unit, steps } => {
            let (svc, actor) = office(&o)?;
            let chain = if steps.is_empty() {
                svc.approval_chain(&actor, &unit)?
            } else {
                let steps = steps
                    .iter()
                    .map(|s| parse_step(s))
                    .collect::<Result<Vec<_>, _>>()?;
                svc.set_approval_chain(&actor, &unit, &steps)?
            };
            for (i, s) in chain.steps.iter().enumerate() {
                println!("{}. {}（{}）", i + 1, s.title, s.role.label_zh());
            }
            if !steps.is_empty() {
                println!("已更新{}件未进入审核的交办记录。", chain.cases_updated);
            }
            Ok(())
        }
        Command::AddUser {
            o,
            id,
            name,
            role,
            unit,
        } => {
            let (svc, actor) = office(&o)?;
            let password = read_password()?;
            let role: UserRole = parse_enum("角色", &role)?;
            svc.add_user(
                &actor,
                &NewUser {
                    id,
                    name,
                    role,
                    unit_id: unit,
                    password,
                },
            )
        }
        Command::Import {
            o,
            file,
            session_id,
            session_name,
            year,
            skip_bad_rows,
        } => {
            let (svc, actor) = office(&o)?;
            let bytes = read_file(&file)?;
            let q = ImportQuery {
                session_id,
                session_name,
                year,
                skip_bad_rows,
            };
            print(&svc.import_suggestions(&actor, &q, &bytes)?);
            Ok(())
        }
        Command::PreAssign { o, parts } => {
            let (svc, actor) = office(&o)?;
            print(&svc.pre_assign(&actor, &parts.request(None))?);
            Ok(())
        }
        Command::Assign { o, parts, on } => {
            let (svc, actor) = office(&o)?;
            print(&svc.assign(&actor, &parts.request(on))?);
            Ok(())
        }
        Command::DecideAdjustment {
            o,
            assignment,
            approve,
            comment,
        } => office_action(
            &o,
            &assignment,
            Action::DecideAdjustment {
                approved: approve,
                comment,
            },
        ),
        Command::Extend {
            o,
            assignment,
            until,
            reason,
        } => office_action(&o, &assignment, Action::GrantExtension { until, reason }),
        Command::DeclineExtension {
            o,
            assignment,
            comment,
        } => office_action(&o, &assignment, Action::DeclineExtension { comment }),
        Command::Urge {
            o,
            assignment,
            message,
        } => office_action(&o, &assignment, Action::Urge { message }),
        Command::Return {
            o,
            assignment,
            reasons,
        } => office_action(&o, &assignment, Action::Return { reasons }),
        Command::Evaluate {
            o,
            assignment,
            evaluation,
        } => {
            let evaluation: Evaluation = parse_enum("评价", &evaluation)?;
            office_action(&o, &assignment, Action::RecordEvaluation { evaluation })
        }
        Command::Conclude { o, assignment } => office_action(&o, &assignment, Action::Conclude),
        Command::Reopen {
            o,
            assignment,
            reason,
        } => office_action(&o, &assignment, Action::Reopen { reason }),
        Command::PublishCalendar { o, file } => {
            let (svc, actor) = office(&o)?;
            let text = read_file(&file)?;
            let cal = crate::http::parse_json(&text)?;
            svc.publish_calendar(&actor, &cal)
        }
        Command::List {
            o,
            unit,
            state,
            overdue,
        } => {
            let (svc, actor) = office(&o)?;
            let q = AssignmentQuery {
                unit_id: unit,
                state,
                overdue: overdue.then_some(true),
                limit: Some(5000),
                ..Default::default()
            };
            print(&svc.list_assignments(&actor, &q)?);
            Ok(())
        }
        Command::MoveDevice { o, id, to_user } => {
            let (svc, actor) = office(&o)?;
            svc.move_device(&actor, &id, &to_user)?;
            println!("设备{id}已转到用户{to_user}名下");
            Ok(())
        }
        Command::RevokeKey {
            o,
            user,
            key,
            reason,
        } => {
            let (svc, actor) = office(&o)?;
            let info = svc.revoke_key(
                &actor,
                &jianban_protocol::RevokeKeyRequest {
                    user_id: user,
                    public_key: key,
                    reason,
                },
            )?;
            println!(
                "已撤销{}（{}）的签名密钥{}：撤销时间{}，原因：{}。此前平台已收到的签发仍有效，此后用该密钥的签名不再被接受。",
                info.user_name,
                info.user_id,
                info.public_key,
                info.revoked_at.as_deref().unwrap_or_default(),
                info.revocation_reason.as_deref().unwrap_or_default()
            );
            Ok(())
        }
        Command::Stats(c) => stats::run(c),
        Command::Accounts(c) => accounts::run(c),
    }
}

fn office_action(o: &OfficeArgs, id: &str, action: Action) -> Result<(), ApiError> {
    let (svc, actor) = office(o)?;
    print(&svc.office_action(&actor, id, &action)?);
    Ok(())
}

fn print_demo_logins() {
    let demo = jianban_domain::demo::demo_data();
    println!(
        "演示账号（密码均为 {}）：",
        jianban_domain::demo::DEMO_PASSWORD
    );
    for u in &demo.users {
        println!(
            "  {:<16} {} {}{}",
            u.id.as_str(),
            u.name,
            u.role.label_zh(),
            u.unit
                .as_ref()
                .and_then(|id| demo.unit(id))
                .map(|x| format!("（{}）", x.name))
                .unwrap_or_default()
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

fn serve(
    svc: Arc<Service>,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
) -> Result<(), ApiError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let app = router(AppState { svc: svc.clone() });
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| ApiError::Internal(format!("无法监听{listen}：{e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Tests and scripts read this line to learn the port.
    println!("jianban-server listening on {scheme}://{addr}");
    tracing::info!(%addr, database = svc.db.dialect().name(), "listening");
    let result = rt.block_on(async move {
        match tls {
            None => {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                // Login limits count failures per client address.
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown_signal())
                .await
            }
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let config =
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
                let handle = axum_server::Handle::new();
                let h = handle.clone();
                tokio::spawn(async move {
                    shutdown_signal().await;
                    h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
                });
                axum_server::from_tcp_rustls(listener, config)
                    .handle(handle)
                    .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                    .await
            }
        }
    });
    // The runtime goes first: the PostgreSQL clients inside the service
    // must be dropped outside any async context.
    drop(rt);
    drop(svc);
    result.map_err(|e| ApiError::Internal(format!("服务器停止：{e}")))
}
