//! Importing suggestions: good files (CSV and .xlsx), bad rows, wrong
//! columns, an empty file, and a 10 MB file.

use serde_json::Value;

use crate::both;
use crate::harness::*;

const HEADER: &str = "建议号,标题,领衔代表,代表团,附议代表,内容,重点建议,急办";

fn import(c: &Client, query: &str, bytes: &[u8]) -> Resp {
    c.raw(
        "POST",
        &format!("/v1/office/import?{query}"),
        Some(bytes),
        &[("Content-Type", "text/csv")],
    )
}

fn suggestions_in(c: &Client, session: &str) -> usize {
    c.pull_all()
        .iter()
        .filter(|ch| ch["entity"] == "suggestion" && ch["data"]["session_id"] == session)
        .count()
}

fn row_errors(r: &Resp) -> Vec<(u64, String)> {
    r.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no row errors: {}", r.body))
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn imports(backend: &Backend) {
    let server = Server::start_with(backend, false, &[]);
    // A fresh server has no users: the office bootstraps through the CLI
    // in production; here the demo-less server gets one through the CLI too.
    let office = bootstrap_office(&server, backend);
    let q = "session_id=2025-s6-4&session_name=市六届人大四次会议&year=2025";

    // A good CSV (with a byte-order mark, as Excel writes it).
    let good = format!(
        "\u{feff}{HEADER}\n1,关于推进老旧小区改造的建议,张建国,埇桥区代表团,李秀兰、王志强,建议加快改造进度。,是,否\n\
         2,关于规范医院过度检查的建议,李秀兰,砀山县代表团,,建议加强监管。,否,是\n\
         3,\"关于“一网通办”的建议，含逗号\",王志强,萧县代表团,,\"多行\n内容\",,\n"
    );
    let r = import(&office, q, good.as_bytes());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 3);
    assert_eq!(suggestions_in(&office, "2025-s6-4"), 3);
    let feed = office.pull_all();
    let s1 = feed.iter().find(|c| c["id"] == "2025-s6-4-1").unwrap();
    assert_eq!(s1["data"]["is_key"], true);
    assert_eq!(s1["data"]["co_signers"].as_array().unwrap().len(), 2);

    // A good .xlsx.
    let r = import(
        &office,
        "session_id=2025-s6-4",
        &xlsx(&[
            vec!["建议号", "标题", "领衔代表"],
            vec!["10", "关于发展夜间经济的建议", "周敏"],
            vec!["11", "关于加强养老服务的建议", "吴国庆"],
        ]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 2);

    // Bad rows: every problem is named by row and column; nothing imported.
    let bad = format!(
        "{HEADER}\n20,关于好行的建议,张建国,,,,,\nabc,缺号的建议,张建国,,,,,\n21,,李秀兰,,,,,\n22,标志有误的建议,王志强,,,,也许,\n20,重复号,张建国,,,,,\n1,已导入过,张建国,,,,,\n"
    );
    let r = import(&office, "session_id=2025-s6-4", bad.as_bytes());
    r.assert_error(422, "import.bad_rows");
    assert_eq!(
        row_errors(&r),
        [
            (3, "建议号".to_string()),
            (4, "标题".into()),
            (5, "重点建议".into()),
            (6, "建议号".into()),
            (7, "建议号".into())
        ]
    );
    assert_eq!(suggestions_in(&office, "2025-s6-4"), 5, "nothing imported");
    // … unless asked to skip them.
    let r = import(
        &office,
        "session_id=2025-s6-4&skip_bad_rows=true",
        bad.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 1);
    assert_eq!(r.body["skipped"].as_array().unwrap().len(), 5);
    assert_eq!(suggestions_in(&office, "2025-s6-4"), 6);

    // Wrong columns.
    let r = import(
        &office,
        "session_id=2025-s6-4",
        "编号,题目,领衔代表\n1,x,y\n".as_bytes(),
    );
    r.assert_error(422, "import.columns");
    let cols: Vec<_> = row_errors(&r).into_iter().map(|(_, c)| c).collect();
    assert!(
        cols.contains(&"编号".to_string()) && cols.contains(&"建议号".to_string()),
        "{cols:?}"
    );

    // Empty files.
    import(&office, "session_id=2025-s6-4", b"").assert_error(422, "import.empty");
    import(&office, "session_id=2025-s6-4", HEADER.as_bytes()).assert_error(422, "import.empty");
    import(&office, "session_id=2025-s6-4", "\n\n".as_bytes()).assert_error(422, "import.empty");
    // Not UTF-8 (e.g. a GBK export) is told apart from garbage.
    import(
        &office,
        "session_id=2025-s6-4",
        &[0xbd, 0xa8, 0xd2, 0xe9, b'\n'],
    )
    .assert_error(422, "import.encoding");
    // A session that does not exist yet needs its name and year.
    import(&office, "session_id=2026-s7-1", good.as_bytes())
        .assert_error(400, "import.unknown_session");

    // A 10 MB file: 2,000 suggestions of about 5 KB each.
    let mut big = String::from(HEADER);
    big.push('\n');
    let text = "建议加强统筹协调，明确责任分工，强化要素保障。".repeat(73);
    for n in 1..=2000 {
        big.push_str(&format!(
            "{n},关于第{n}项工作的建议,代表{},,,{text},,\n",
            n % 50
        ));
    }
    assert!(big.len() >= 10 * 1000 * 1000, "{} bytes", big.len());
    let r = import(
        &office,
        "session_id=2026-s7-1&session_name=市七届人大一次会议&year=2026",
        big.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 2000);
    assert_eq!(suggestions_in(&office, "2026-s7-1"), 2000);
}
both!(imports);

fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r as u32, c as u16, n).unwrap(),
                Err(_) => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

/// Adds the first office user with the CLI (as an administrator would on a
/// new server) and logs in.
pub fn bootstrap_office(server: &Server, backend: &Backend) -> Client {
    server.cli(
        backend,
        &[
            "add-user",
            "--id",
            "admin",
            "--name",
            "管理员",
            "--role",
            "office_staff",
        ],
        DEMO_PASSWORD,
    );
    let mut c = server.anon();
    let r = c.post(
        "/v1/auth/login",
        &serde_json::json!({"username": "admin", "password": DEMO_PASSWORD, "device_id": "admin-pc", "device_name": "办公室"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    c.token = r.body["access_token"].as_str().map(str::to_string);
    c.device = "admin-pc".into();
    let _: &Value = &c.user;
    c
}
