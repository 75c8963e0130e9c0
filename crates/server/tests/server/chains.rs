//! Per-unit approval chains: who may set them, which cases take them, and
//! a three-step chain signed step by step before the reply may go out.

use jianban_domain::{Action, RevisionHash, UserRole};
use jianban_signoff::Decision;
use serde_json::json;

use crate::both;
use crate::harness::*;

const THREE_STEPS: [(&str, UserRole); 3] = [
    ("承办科室负责人审核", UserRole::CaseHandler),
    ("分管领导审核", UserRole::DeputyHead),
    ("主要负责人审核签发", UserRole::Head),
];

fn steps_json() -> serde_json::Value {
    json!({ "steps": THREE_STEPS
        .iter()
        .map(|(title, role)| json!({ "title": title, "role": role }))
        .collect::<Vec<_>>() })
}

fn approval_chains_per_unit(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("zjj-head");
    let liaison = server.login("zjj-liaison");
    let path = "/v1/units/zjj/approval-chain";

    // The default: the head signs off alone. Readable by the unit and the office.
    let r = liaison.get(path);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["steps"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["steps"][0]["role"], "head");
    server
        .login("fgw-liaison")
        .get(path)
        .assert_error(403, "auth.forbidden");

    // Only the unit's head or the office sets it.
    liaison
        .put_json(path, &steps_json())
        .assert_error(403, "auth.forbidden");
    server
        .login("fgw-head")
        .put_json(path, &steps_json())
        .assert_error(403, "auth.forbidden");
    // A chain whose last step is not the head's is refused, with the reason.
    let wrong = json!({"steps": [{"title": "主要负责人审核签发", "role": "head"}, {"title": "分管领导审核", "role": "deputy_head"}]});
    head.put_json(path, &wrong)
        .assert_error(409, "workflow.invalid_chain");
    office
        .put_json("/v1/units/no-such-unit/approval-chain", &steps_json())
        .assert_error(404, "not_found");

    let r = head.put_json(path, &steps_json());
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["cases_updated"].as_u64().unwrap() >= 1, "{}", r.body);
    assert_eq!(office.get(path).body["steps"].as_array().unwrap().len(), 3);

    // A case in approval keeps its chain; one still being handled takes the new one.
    let in_approval = liaison.snapshot("a171-zjj");
    assert_eq!(in_approval["case"]["state"], "awaiting_approval");
    assert_eq!(
        in_approval["case"]["approval_chain"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let returned = liaison.snapshot("a198-zjj");
    assert_eq!(returned["case"]["state"], "returned");
    assert_eq!(
        returned["case"]["approval_chain"].as_array().unwrap().len(),
        3
    );

    // Three approvers; each signs their own step of the exact revision.
    for (id, name, role) in [
        ("zjj-kz", "孙科长", "case_handler"),
        ("zjj-fg", "周副局长", "deputy_head"),
    ] {
        let r = office.post(
            "/v1/office/users",
            &json!({"id": id, "name": name, "role": role, "unit_id": "zjj", "password": DEMO_PASSWORD}),
        );
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let id = "a198-zjj";
    let content = reply_content("经认真研究，现将办理情况答复如下：……");
    let rev: RevisionHash = content.content_hash();
    let r = liaison.push(&[
        contact(1, id),
        draft(2, id, &content),
        action(3, id, &Action::SubmitForApproval),
    ]);
    assert_eq!(
        statuses(&r),
        ["applied", "applied", "applied"],
        "{}",
        r.body
    );
    let approvers = [server.login("zjj-kz"), server.login("zjj-fg"), head];
    let users = ["zjj-kz", "zjj-fg", "zjj-head"];

    // Out of order: the head cannot sign step 0 (another role's step).
    let r = approvers[2].push(&[signed_step(
        &approvers[2],
        1,
        id,
        &rev,
        ("zjj-head", UserRole::Head),
        (0, THREE_STEPS[0].0),
        Decision::Approve,
    )]);
    assert_eq!(statuses(&r), ["rejected"], "{}", r.body);
    assert!(
        r.body["results"][0]["error"]["code"]
            .as_str()
            .unwrap()
            .starts_with("workflow."),
        "{}",
        r.body
    );

    for step in 0..2 {
        let (title, role) = THREE_STEPS[step];
        let c = &approvers[step];
        let r = c.push(&[signed_step(
            c,
            1,
            id,
            &rev,
            (users[step], role),
            (step, title),
            Decision::Approve,
        )]);
        assert_eq!(statuses(&r), ["applied"], "step {step}: {}", r.body);
    }
    // Two of three steps: not signed off, the reply cannot go out.
    assert_eq!(liaison.snapshot(id)["case"]["state"], "awaiting_approval");
    let r = liaison.push(&[action(4, id, &Action::Submit)]);
    assert_eq!(statuses(&r), ["rejected"], "{}", r.body);

    let r = approvers[2].push(&[signed_step(
        &approvers[2],
        2,
        id,
        &rev,
        ("zjj-head", UserRole::Head),
        (2, THREE_STEPS[2].0),
        Decision::Approve,
    )]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    assert_eq!(liaison.snapshot(id)["case"]["state"], "signed_off");
    let r = liaison.push(&[action(5, id, &Action::Submit)]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    assert_eq!(liaison.snapshot(id)["case"]["state"], "submitted");

    // The command line shows the chain too.
    let out = server.cli(backend, &["approval-chain", "--unit", "zjj"], "");
    assert!(out.contains("1. 承办科室负责人审核（承办人）"), "{out}");
    assert!(out.contains("3. 主要负责人审核签发（主要负责人）"), "{out}");
}
both!(approval_chains_per_unit);
