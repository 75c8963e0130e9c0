//! Answers the API fuzz run (tests/fuzz/api-fuzz.sh) found outside the
//! OpenAPI document, each checked here against the real server and the
//! document it serves.

use serde_json::json;

use crate::both;
use crate::harness::*;

/// The statistics routes answer 404 for a session that does not exist; the
/// report and both workbooks did not declare it.
fn stats_of_an_unknown_session_is_a_declared_404(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("fgw-liaison");
    let api = server.anon().get("/openapi.json");
    for path in [
        "/v1/stats",
        "/v1/stats/report",
        "/v1/stats/ledger.xlsx",
        "/v1/stats/figures.xlsx",
    ] {
        c.get(&format!("{path}?session_id=no-such-session"))
            .assert_error(404, "not_found");
        assert!(
            api.body["paths"][path]["get"]["responses"]["404"].is_object(),
            "GET {path} answers 404 without declaring it"
        );
    }
}
both!(stats_of_an_unknown_session_is_a_declared_404);

/// The office's actions on an assignment answer 404 for an id that does not
/// exist, and assigning names suggestions that may not exist; none of them
/// declared it.
fn office_actions_on_an_unknown_assignment_are_a_declared_404(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("office1");
    let api = server.anon().get("/openapi.json");
    for (action, body) in [
        ("urge", json!({"message": "请尽快办理"})),
        ("return", json!({"reasons": "请补充"})),
        ("reopen", json!({"reason": "重新办理"})),
        ("extension/decline", json!({"comment": "不同意"})),
        (
            "decide-adjustment",
            json!({"approved": true, "comment": ""}),
        ),
    ] {
        let r = c.post(
            &format!("/v1/office/assignments/no-such-id/{action}"),
            &body,
        );
        assert_eq!(r.status, 404, "{action}: {}", r.body);
        assert_eq!(r.body["code"], "not_found", "{action}: {}", r.body);
    }
    for action in [
        "urge",
        "return",
        "reopen",
        "extension",
        "extension/decline",
        "decide-adjustment",
        "evaluation",
        "conclude",
    ] {
        let path = format!("/v1/office/assignments/{{id}}/{action}");
        assert!(
            api.body["paths"][&path]["post"]["responses"]["404"].is_object(),
            "POST {path} answers 404 without declaring it"
        );
    }
    let r = c.post(
        "/v1/office/pre-assign",
        &json!({"assigned_on": null, "items": [{"suggestion_id": "no-such-suggestion", "units": []}]}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    for path in ["/v1/office/pre-assign", "/v1/office/assign"] {
        assert!(
            api.body["paths"][path]["post"]["responses"]["404"].is_object(),
            "POST {path} answers 404 without declaring it"
        );
    }
}
both!(office_actions_on_an_unknown_assignment_are_a_declared_404);
