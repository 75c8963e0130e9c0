//! The office's workflow over HTTP and from the command line: assignment
//! with deadlines, decisions, supervision, evaluation, the calendar.

use serde_json::json;

use crate::both;
use crate::harness::*;

fn office_workflow(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");

    // Import two suggestions and assign one to a lead and a co-handler.
    let csv = "建议号,标题,领衔代表\n901,关于完善公交线网的建议,张建国\n902,关于建设口袋公园的建议,李秀兰\n";
    let r = office.raw(
        "POST",
        "/v1/office/import?session_id=2024-s6-3",
        Some(csv.as_bytes()),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = office.post(
        "/v1/office/pre-assign",
        &json!({"items": [{"suggestion_id": "2024-s6-3-901", "units": [{"unit_id": "jtj", "role": "lead"}]}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let jtj = server.login("jtj-liaison");
    assert!(jtj
        .pull_all()
        .iter()
        .any(|c| c["entity"] == "notice" && c["data"]["kind"] == "pre_assignment"));
    let r = office.post(
        "/v1/office/assign",
        &json!({"assigned_on": "2024-03-28", "items": [{"suggestion_id": "2024-s6-3-901",
            "units": [{"unit_id": "czj", "role": "co_handler"}, {"unit_id": "jtj", "role": "lead"}]}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["assignment_ids"],
        json!(["2024-s6-3-901-jtj", "2024-s6-3-901-czj"])
    );
    let lead = jtj.snapshot("2024-s6-3-901-jtj");
    // BRIEF §2: reply in 3 months, adjustment in 10 days (rolled to a working day).
    assert_eq!(lead["case"]["deadlines"]["reply"], "2024-06-28");
    assert_eq!(lead["case"]["deadlines"]["adjustment"], "2024-04-07");
    assert_eq!(lead["case"]["co_handlers"][0]["unit"], "czj");
    assert_eq!(lead["case"]["co_handlers"][0]["due"], "2024-04-28");
    let feed = jtj.pull_all();
    assert!(feed
        .iter()
        .any(|c| c["entity"] == "suggestion" && c["id"] == "2024-s6-3-901"));
    assert!(!feed
        .iter()
        .any(|c| c["entity"] == "suggestion" && c["id"] == "2024-s6-3-902"));
    // Refused sets of units.
    office
        .post("/v1/office/assign", &json!({"items": [{"suggestion_id": "2024-s6-3-902", "units": [{"unit_id": "czj", "role": "co_handler"}]}]}))
        .assert_error(400, "assign.bad_roles");
    office
        .post("/v1/office/assign", &json!({"items": [{"suggestion_id": "2024-s6-3-901", "units": [{"unit_id": "jtj", "role": "split"}]}]}))
        .assert_error(400, "assign.duplicate_unit");
    office
        .post("/v1/office/assign", &json!({"items": [{"suggestion_id": "nope", "units": [{"unit_id": "jtj", "role": "lead"}]}]}))
        .assert_error(404, "not_found");

    let act = |id: &str, what: &str, body: serde_json::Value| {
        office.post(&format!("/v1/office/assignments/{id}/{what}"), &body)
    };
    // Adjustment approved: the case is transferred.
    let r = act(
        "a070-nyj",
        "decide-adjustment",
        json!({"approved": true, "comment": "同意"}),
    );
    assert_eq!(r.body["case"]["state"], "transferred", "{}", r.body);
    // Extension within the limit; beyond it the rules refuse.
    let r = act(
        "a039-fgw",
        "extension",
        json!({"until": "2099-01-01", "reason": "需协调"}),
    );
    r.assert_error(409, "workflow.invalid_extension");
    let due = server.login("fgw-liaison").snapshot("a039-fgw")["case"]["deadlines"]["reply"]
        .as_str()
        .unwrap()
        .to_string();
    let later = (chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap()
        + chrono::Days::new(30))
    .to_string();
    let r = act(
        "a039-fgw",
        "extension",
        json!({"until": later, "reason": "需协调多个部门"}),
    );
    assert_eq!(r.body["case"]["extension"]["until"], later, "{}", r.body);
    // The unit applies for more time; the office sees it and declines.
    let fgw = server.login("fgw-liaison");
    let asked_until = (chrono::NaiveDate::parse_from_str(&later, "%Y-%m-%d").unwrap()
        + chrono::Days::new(10))
    .to_string();
    let ask = jianban_domain::Action::RequestExtension {
        until: asked_until.parse().unwrap(),
        reason: "需协调市财政局安排专项资金".into(),
    };
    let r = fgw.push(&[action(1, "a039-fgw", &ask)]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    let listed = office.get("/v1/office/assignments?unit_id=fgw");
    let row = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["assignment_id"] == "a039-fgw")
        .cloned()
        .unwrap();
    assert_eq!(row["pending_extension"]["until"], asked_until, "{row}");
    act("a039-fgw", "extension/decline", json!({"comment": " "}))
        .assert_error(409, "workflow.empty_text");
    let r = act(
        "a039-fgw",
        "extension/decline",
        json!({"comment": "请按现期限答复"}),
    );
    assert!(r.body["case"]["pending_extension"].is_null(), "{}", r.body);
    assert_eq!(r.body["case"]["extension"]["until"], later, "{}", r.body);
    assert!(fgw.pull_all().iter().any(|c| c["entity"] == "notice"
        && c["data"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("不同意延期：请按现期限答复"))));
    act("a039-fgw", "extension/decline", json!({"comment": "再次"}))
        .assert_error(409, "workflow.invalid_extension");
    // Dissatisfied: the case returns with a re-handling deadline.
    let r = act(
        "a030-gaj",
        "evaluation",
        json!({"evaluation": "dissatisfied"}),
    );
    assert_eq!(r.body["case"]["state"], "returned", "{}", r.body);
    assert!(r.body["case"]["rehandling_due"].is_string());
    // Conclude, then reopen.
    let r = act("a107-sjj", "conclude", json!({}));
    assert_eq!(r.body["case"]["state"], "concluded", "{}", r.body);
    let r = act("a107-sjj", "reopen", json!({"reason": "代表再次反映"}));
    assert_eq!(r.body["case"]["state"], "returned");
    act("a107-sjj", "conclude", json!({})).assert_error(409, "workflow.not_allowed");
    act("no-such-case", "urge", json!({"message": "请办理"})).assert_error(404, "not_found");
    act("a039-fgw", "urge", json!({"message": " "})).assert_error(409, "workflow.empty_text");

    // The calendar: a bad one is refused, a good one reaches the units.
    let r = office.put_json(
        "/v1/office/calendar",
        &json!({"format": "other/9", "years": []}),
    );
    r.assert_error(400, "calendar.invalid");
    let cal = jianban_domain::WorkingCalendar::national().to_file();
    let r = office.put_json("/v1/office/calendar", &serde_json::to_value(&cal).unwrap());
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(jtj.pull_all().iter().any(|c| c["entity"] == "calendar"));

    // Queries.
    let r = office.get("/v1/office/assignments?state=returned");
    assert!(r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["state"] == "returned"));
    assert!(r.body["total"].as_u64().unwrap() >= 3);
    let r = office.get("/v1/office/assignments?unit_id=jtj&limit=1");
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert!(r.body["total"].as_u64().unwrap() > 1);

    // The same operations from the command line, on the same database.
    let out = server.cli(
        backend,
        &[
            "urge",
            "a006-zjj",
            "--message",
            "请尽快签收",
            "--as",
            "office1",
        ],
        "",
    );
    assert!(out.contains("awaiting_receipt"), "{out}");
    let out = server.cli(
        backend,
        &[
            "assign",
            "2024-s6-3-902",
            "--split",
            "zjj",
            "--split",
            "sthj",
            "--on",
            "2024-04-01",
        ],
        "",
    );
    assert!(out.contains("2024-s6-3-902-zjj"), "{out}");
    let out = server.cli(backend, &["list", "--unit", "sthj"], "");
    assert!(out.contains("2024-s6-3-902-sthj"), "{out}");
    let audit = office.get("/v1/office/audit?assignment_id=a006-zjj");
    let last = audit.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "urge");
    assert_eq!(last["actor_id"], "office1");
}
both!(office_workflow);
