//! Statistics, the report, the ledger and figures workbooks, and the .xlsx
//! import of evaluations, through the real server: who may see what, the
//! same figures in JSON and in Excel, and nothing half-imported.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::both;
use crate::harness::*;

/// GET returning raw bytes (the workbooks), with the status.
fn bytes(server: &Server, c: &Client, path: &str) -> (u16, Vec<u8>) {
    let req = ureq::get(&format!("{}{}", server.base, path))
        .set("X-Jianban-Protocol", "1")
        .set(
            "Authorization",
            &format!("Bearer {}", c.token.as_deref().unwrap()),
        );
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let status = resp.status();
    let mut out = Vec::new();
    std::io::copy(&mut resp.into_reader(), &mut out).unwrap();
    (status, out)
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .expect("a workbook calamine opens");
    book.worksheet_range(name)
        .unwrap()
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            s.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn upload(c: &Client, path: &str, body: &[u8]) -> Resp {
    c.raw(
        "POST",
        path,
        Some(body),
        &[(
            "Content-Type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )],
    )
}

fn state_of(office: &Client, id: &str) -> Value {
    let list = office.get("/v1/office/assignments?limit=5000");
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["assignment_id"] == id)
        .unwrap()["state"]
        .clone()
}

fn stats_endpoints(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let liaison = server.login("fgw-liaison");

    // The city's figures agree with the office's own list.
    let city = office.get("/v1/stats");
    assert_eq!(city.status, 200, "{}", city.body);
    assert_eq!(city.body["scope"]["kind"], "city");
    let all = office.get("/v1/office/assignments?limit=5000");
    assert_eq!(city.body["assignments"], all.body["total"]);
    let state_total: u64 = city.body["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(Some(state_total), all.body["total"].as_u64());
    let shares: f64 = city.body["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["percent"].as_f64().unwrap())
        .sum();
    assert!((shares - 100.0).abs() < 1e-9, "{shares}");
    let concluded = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "concluded")
        .count() as u64;
    let by_state = |f: &Value, code: &str| {
        f["by_state"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(by_state(&city.body, "concluded"), concluded);

    // A unit's user gets its own unit, and nothing of another's.
    let own = liaison.get("/v1/stats");
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["scope"]["unit_id"], "fgw");
    let fgw_items = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["unit_id"] == "fgw")
        .count() as u64;
    assert_eq!(own.body["assignments"].as_u64(), Some(fgw_items));
    assert_eq!(office.get("/v1/stats?unit=fgw").body, own.body);
    liaison
        .get("/v1/stats?unit=wjw")
        .assert_error(403, "auth.forbidden");
    liaison
        .get("/v1/stats/report?unit=wjw")
        .assert_error(403, "auth.forbidden");
    let (status, body) = bytes(&server, &liaison, "/v1/stats/ledger.xlsx?unit=wjw");
    assert_eq!(status, 403);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["code"], "auth.forbidden");
    let (status, _) = bytes(&server, &liaison, "/v1/stats/figures.xlsx?unit=wjw");
    assert_eq!(status, 403);
    office
        .get("/v1/stats?unit=nosuch")
        .assert_error(404, "not_found");

    // The unit's ledger lists exactly its cases.
    let (status, ledger) = bytes(&server, &liaison, "/v1/stats/ledger.xlsx");
    assert_eq!(status, 200);
    let table = sheet(&ledger, "台账");
    assert!(table[0][0].starts_with("市发展改革委"), "{:?}", table[0]);
    assert_eq!(table[1][0], "序号");
    let unit_col = table[1].iter().position(|c| c == "承办单位").unwrap();
    assert_eq!(table.len() as u64 - 2, fgw_items);
    assert!(table[2..].iter().all(|r| r[unit_col] == "市发展改革委"));

    // The figures workbook carries the JSON's numbers.
    let (status, fig) = bytes(&server, &office, "/v1/stats/figures.xlsx");
    assert_eq!(status, 200);
    let cats = sheet(&fig, "结果类别");
    for (i, c) in city.body["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(cats[i + 2][1], c["count"].as_u64().unwrap().to_string());
    }
    let states = sheet(&fig, "办理状态");
    let row = states.iter().find(|r| r[0] == "已办结").unwrap();
    assert_eq!(row[1], concluded.to_string());

    // The report speaks of the same totals.
    let report = office.get("/v1/stats/report");
    assert_eq!(report.status, 200, "{}", report.body);
    let text = report.body["text"].as_str().unwrap();
    let n = city.body["suggestions"].as_u64().unwrap();
    assert!(
        text.contains(&format!(
            "年，市政府系统共承办市六届人大三次会议代表建议{n}件"
        )),
        "{text}"
    );
    let unit_report = liaison.get("/v1/stats/report");
    assert!(unit_report.body["text"]
        .as_str()
        .unwrap()
        .contains("市发展改革委共承办市六届人大三次会议代表建议"));

    // The CLI prints the same report.
    let as_of = report.body["as_of"].as_str().unwrap();
    let printed = server.cli(backend, &["report", "--as-of", as_of], "");
    assert_eq!(printed.trim_end(), text);
    let printed = server.cli(backend, &["stats", "--unit", "fgw", "--as-of", as_of], "");
    let from_cli: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(from_cli, own.body);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("台账.xlsx");
    server.cli(
        backend,
        &["ledger", "--unit", "fgw", "--out", out.to_str().unwrap()],
        "",
    );
    let table = sheet(&std::fs::read(&out).unwrap(), "台账");
    assert_eq!(table.len() as u64 - 2, fgw_items);
}
both!(stats_endpoints);

fn evaluation_import(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let liaison = server.login("fgw-liaison");
    let path = "/v1/import/xlsx?kind=evaluations";
    let good: &[&str] = &["30", "市公安局", "满意", "张建国"];
    let file = xlsx(&[
        &["建议号", "承办单位", "代表评价", "代表"],
        good,
        &["59", "市城市管理局", "很好", ""],
        &["59", "市不存在局", "满意", ""],
        // Drafting: the rules refuse an evaluation before the reply.
        &["39", "市发展改革委", "基本满意", ""],
    ]);

    // Only the office imports.
    upload(&liaison, path, &file).assert_error(403, "auth.forbidden");

    // Every bad row is reported, and none is applied, not even the good one.
    let r = upload(&office, path, &file);
    r.assert_error(422, "import.bad_rows");
    let rows: Vec<u64> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [3, 4, 5], "{}", r.body);
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("有3处错误，未导入任何评价"), "{msg}");
    let errors = r.body["errors"].to_string();
    assert!(
        errors.contains("请填写“满意”“基本满意”或“不满意”"),
        "{errors}"
    );
    assert!(errors.contains("没有交由“市不存在局”办理"), "{errors}");
    assert!(errors.contains("请先确认该单位已答复"), "{errors}");
    assert_eq!(state_of(&office, "a030-gaj"), "submitted");

    // The good row alone goes in.
    let r = upload(
        &office,
        path,
        &xlsx(&[&["建议号", "承办单位", "代表评价", "代表"], good]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 1);
    assert_eq!(r.body["ids"][0], "a030-gaj");
    assert_eq!(state_of(&office, "a030-gaj"), "evaluated");

    // A file that is not a workbook, and wrong columns, are refused whole.
    upload(&office, path, b"not a workbook").assert_error(422, "import.unreadable");
    let r = upload(&office, path, &xlsx(&[&["建议号", "评分"], &["30", "90"]]));
    r.assert_error(422, "import.columns");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("缺少必填列“承办单位”"));
}
both!(evaluation_import);

fn suggestion_import(backend: &Backend) {
    let server = Server::start_with(backend, false, &[]);
    let office = crate::import::bootstrap_office(&server, backend);
    let header: &[&str] = &["建议号", "标题", "领衔代表", "重点建议"];
    let bad = xlsx(&[
        header,
        &["1", "关于推动我市民营经济高质量发展的建议", "张三", "是"],
        &["x", "关于规范医院过度检查的建议", "李四", ""],
        &["3", "", "王五", "也许"],
    ]);
    let path = "/v1/import/xlsx?kind=suggestions&session_id=2024-s6-3&session_name=市六届人大三次会议&year=2024";
    let r = upload(&office, path, &bad);
    r.assert_error(422, "import.bad_rows");
    let rows: Vec<u64> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [3, 4, 4], "{}", r.body);
    let good = xlsx(&[
        header,
        &["1", "关于推动我市民营经济高质量发展的建议", "张三", "是"],
        &["2", "关于规范医院过度检查的建议", "李四", ""],
    ]);
    let r = upload(&office, path, &good);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["imported"], 2);
    assert_eq!(r.body["ids"][0], "2024-s6-3-1");
    // The refused file left nothing (No. 1 went in only now); a second
    // import finds both numbers taken and is refused by the import's rules.
    upload(&office, path, &good).assert_error(422, "import.bad_rows");
    // This endpoint takes workbooks only (CSV goes to /v1/office/import).
    upload(&office, path, "建议号,标题,领衔代表\n5,x,y\n".as_bytes())
        .assert_error(422, "import.unreadable");
}
both!(suggestion_import);
