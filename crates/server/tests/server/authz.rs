//! The authorization matrix: every endpoint × every role × own unit / other
//! unit, plus what each role's change feed may contain.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::*;

const OWN: &str = "a039-fgw";
const OTHER: &str = "a023-wjw";

/// What a request may answer for one caller.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Served: any status but 401 and 403 (the domain may still refuse).
    Served,
    Forbidden,
    Unauthenticated,
}

struct Endpoint {
    name: &'static str,
    method: &'static str,
    /// `{id}` is replaced by the target assignment.
    path: &'static str,
    body: Option<Value>,
    office_only: bool,
}

fn endpoints() -> Vec<Endpoint> {
    let e = |name, method, path, body: Option<Value>, office_only| Endpoint {
        name,
        method,
        path,
        body,
        office_only,
    };
    vec![
        e(
            "changes",
            "GET",
            "/v1/sync/changes?after=0&limit=10",
            None,
            false,
        ),
        e(
            "assignments",
            "GET",
            "/v1/office/assignments?unit_id=fgw",
            None,
            true,
        ),
        e("audit", "GET", "/v1/office/audit?limit=5", None, true),
        e(
            "pre-assign",
            "POST",
            "/v1/office/pre-assign",
            Some(
                json!({"items": [{"suggestion_id": "s006", "units": [{"unit_id": "fgw", "role": "co_handler"}]}]}),
            ),
            true,
        ),
        e(
            "assign",
            "POST",
            "/v1/office/assign",
            Some(
                json!({"items": [{"suggestion_id": "s006", "units": [{"unit_id": "kjj", "role": "co_handler"}]}]}),
            ),
            true,
        ),
        e(
            "decide-adjustment",
            "POST",
            "/v1/office/assignments/{id}/decide-adjustment",
            Some(json!({"approved": false, "comment": "请继续办理"})),
            true,
        ),
        e(
            "extension",
            "POST",
            "/v1/office/assignments/{id}/extension",
            Some(json!({"until": "2099-01-01", "reason": "需要协调"})),
            true,
        ),
        e(
            "extension/decline",
            "POST",
            "/v1/office/assignments/{id}/extension/decline",
            Some(json!({"comment": "请按期答复"})),
            true,
        ),
        e(
            "urge",
            "POST",
            "/v1/office/assignments/{id}/urge",
            Some(json!({"message": "请抓紧办理"})),
            true,
        ),
        e(
            "return",
            "POST",
            "/v1/office/assignments/{id}/return",
            Some(json!({"reasons": "针对性不强"})),
            true,
        ),
        e(
            "evaluation",
            "POST",
            "/v1/office/assignments/{id}/evaluation",
            Some(json!({"evaluation": "satisfied"})),
            true,
        ),
        e(
            "conclude",
            "POST",
            "/v1/office/assignments/{id}/conclude",
            Some(json!({})),
            true,
        ),
        e(
            "reopen",
            "POST",
            "/v1/office/assignments/{id}/reopen",
            Some(json!({"reason": "代表再次反映"})),
            true,
        ),
        e(
            "calendar",
            "PUT",
            "/v1/office/calendar",
            Some(json!({"format": "jianban-holiday-calendar/1", "years": []})),
            true,
        ),
        e(
            "units",
            "POST",
            "/v1/office/units",
            Some(json!({"id": "tmp-{id}", "name": "临时单位"})),
            true,
        ),
        e(
            "users",
            "POST",
            "/v1/office/users",
            Some(
                json!({"id": "u-{id}", "name": "新用户", "role": "office_staff", "password": "12345678"}),
            ),
            true,
        ),
    ]
}

fn call(c: &Client, ep: &Endpoint, target: &str, n: usize) -> Resp {
    let path = ep.path.replace("{id}", target);
    let body = ep.body.as_ref().map(|b| {
        b.to_string()
            .replace("{id}", &format!("{target}-{n}"))
            .into_bytes()
    });
    c.raw(
        ep.method,
        &path,
        body.as_deref(),
        &[("Content-Type", "application/json")],
    )
}

fn check(r: &Resp, expect: Expect, what: &str) {
    match expect {
        Expect::Served => assert!(
            r.status != 401 && r.status != 403,
            "{what}: refused {} {}",
            r.status,
            r.body
        ),
        Expect::Forbidden => r.assert_error(403, "auth.forbidden"),
        Expect::Unauthenticated => assert_eq!(r.status, 401, "{what}: {}", r.body),
    }
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes()
}

fn upload(c: &Client, assignment: &str, bytes: &[u8]) -> Resp {
    let sha = hex::encode(Sha256::digest(bytes));
    c.raw(
        "PUT",
        &format!("/v1/documents/{sha}"),
        Some(bytes),
        &[
            ("X-Jianban-Assignment", assignment),
            ("Content-Type", "application/pdf"),
        ],
    )
}

fn authorization_matrix(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    for (id, role) in [
        ("fgw-handler", "case_handler"),
        ("fgw-deputy", "deputy_head"),
    ] {
        let r = office.post(
            "/v1/office/users",
            &json!({"id": id, "name": "测试", "role": role, "unit_id": "fgw", "password": DEMO_PASSWORD}),
        );
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let unit_users = ["fgw-liaison", "fgw-handler", "fgw-deputy", "fgw-head"];
    let anon = server.anon();

    // A document of the other unit, for the download checks.
    let wjw = server.login("wjw-liaison");
    let other_doc = pdf("wjw");
    assert_eq!(upload(&wjw, OTHER, &other_doc).status, 200);
    let other_sha = hex::encode(Sha256::digest(&other_doc));

    let mut n = 0;
    for ep in endpoints() {
        for target in [OWN, OTHER] {
            n += 1;
            check(
                &call(&anon, &ep, target, n),
                Expect::Unauthenticated,
                ep.name,
            );
            n += 1;
            check(&call(&office, &ep, target, n), Expect::Served, ep.name);
            for user in unit_users {
                let c = server.login(user);
                n += 1;
                let expect = if ep.office_only {
                    Expect::Forbidden
                } else {
                    Expect::Served
                };
                check(
                    &call(&c, &ep, target, n),
                    expect,
                    &format!("{} as {user}", ep.name),
                );
            }
        }
    }

    // Push: a unit acts on its own case only; another unit's case is refused
    // without revealing it. The office's actions go through push too.
    for user in unit_users {
        let c = server.login(user);
        let urge = jianban_domain::Action::Urge {
            message: "催".into(),
        };
        let r = c.push(&[contact(1, OWN), contact(2, OTHER), action(3, OWN, &urge)]);
        assert_eq!(r.status, 200, "{}", r.body);
        let res = r.body["results"].as_array().unwrap();
        assert_eq!(res[0]["status"], "applied", "{user}: {}", r.body);
        assert_eq!(res[1]["status"], "rejected");
        assert_eq!(res[1]["error"]["code"], "auth.forbidden");
        assert!(
            res[1].get("current").is_none(),
            "another unit's case leaked"
        );
        assert_eq!(res[2]["error"]["code"], "workflow.office_only");
        assert!(
            res[2]["current"].is_object(),
            "own case comes back with a rejection"
        );
        let r = anon.post("/v1/sync/push", &json!({"device_id": "x", "commands": []}));
        r.assert_error(401, "auth.missing_token");
    }
    let r = office.push(&[
        action(
            1,
            OWN,
            &jianban_domain::Action::Urge {
                message: "请加快进度".into(),
            },
        ),
        contact(2, OWN),
    ]);
    assert_eq!(statuses(&r), ["applied", "rejected"], "{}", r.body);
    assert_eq!(r.body["results"][1]["error"]["code"], "workflow.other_unit");
    // A push under another device's name is refused whole.
    let r = office.post(
        "/v1/sync/push",
        &json!({"device_id": "someone-else", "commands": []}),
    );
    r.assert_error(403, "auth.forbidden");

    // Documents: the owning unit uploads; the office and the owner read;
    // no one reads or writes another unit's.
    let own_doc = pdf("fgw");
    let own_sha = hex::encode(Sha256::digest(&own_doc));
    for user in unit_users {
        let c = server.login(user);
        assert_eq!(upload(&c, OWN, &own_doc).status, 200, "{user}");
        upload(&c, OTHER, &own_doc).assert_error(403, "auth.forbidden");
        assert_eq!(c.get(&format!("/v1/documents/{own_sha}")).status, 200);
        c.get(&format!("/v1/documents/{other_sha}"))
            .assert_error(403, "auth.forbidden");
    }
    upload(&office, OWN, &own_doc).assert_error(403, "auth.forbidden");
    assert_eq!(office.get(&format!("/v1/documents/{own_sha}")).status, 200);
    assert_eq!(
        office.get(&format!("/v1/documents/{other_sha}")).status,
        200
    );
    assert_eq!(anon.get(&format!("/v1/documents/{own_sha}")).status, 401);
    // Uploading the same bytes again is idempotent.
    let again = upload(&wjw, OTHER, &other_doc);
    assert_eq!(again.body["created"], false);

    // The feed: a unit sees only its own cases (and, as a lead, its
    // co-handlers' opinions); the office sees every case.
    let feed = server.login("fgw-liaison").pull_all();
    let mut own_cases = std::collections::HashSet::new();
    let mut led = std::collections::HashSet::new();
    for ch in &feed {
        if ch["entity"] == "assignment" {
            assert_eq!(ch["data"]["unit_id"], "fgw", "{ch}");
            own_cases.insert(ch["id"].as_str().unwrap().to_string());
            if ch["data"]["role"] == "lead" {
                led.insert(ch["data"]["suggestion_id"].as_str().unwrap().to_string());
            }
        }
    }
    for ch in &feed {
        match ch["entity"].as_str().unwrap() {
            "draft" | "contact" | "notice" => {
                let a = ch["data"]["assignment_id"].as_str().unwrap();
                assert!(
                    own_cases.contains(a)
                        || ch["data"]["kind"] == "pre_assignment" && a.ends_with("-fgw"),
                    "{ch}"
                );
            }
            "opinion" => {
                let s = ch["data"]["suggestion_id"].as_str().unwrap();
                assert!(led.contains(s), "{ch}");
            }
            _ => {}
        }
    }
    assert!(
        feed.iter().any(|c| c["entity"] == "opinion"),
        "the lead sees its co-handlers' opinions"
    );
    let all = office.pull_all();
    let cases = all.iter().filter(|c| c["entity"] == "assignment").count();
    assert_eq!(
        cases,
        jianban_domain::demo::demo_data().assignments.len() + 1
    );
}
both!(authorization_matrix);
