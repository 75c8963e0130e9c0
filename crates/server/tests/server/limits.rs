//! Requests that would make the server do unbounded work are refused with a
//! clear answer, and the server keeps serving everyone else.

use rust_xlsxwriter::Workbook;

use crate::both;
use crate::harness::*;

/// The finding: a workbook of about 6 KB whose one sheet has a cell at A1
/// and one at XFD1048576 made the reader allocate the whole declared
/// rectangle (512 GiB) and aborted the server process, stopping every unit's
/// sync. Now it is refused, and the server goes on answering.
fn sparse_workbook_with_a_far_cell(backend: &Backend) {
    let server = Server::start_with(backend, false, &[]);
    let office = crate::import::bootstrap_office(&server, backend);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "建议号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bomb = book.save_to_buffer().unwrap();
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    let path = "/v1/import/xlsx?kind=suggestions&session_id=2024-s6-3&session_name=市六届人大三次会议&year=2024";
    let r = office.raw(
        "POST",
        path,
        Some(&bomb),
        &[(
            "Content-Type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )],
    );
    r.assert_error(422, "import.too_large");
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("第1048576行XFD列有内容"), "{message}");
    // The same file as evaluations: the same refusal.
    office
        .raw(
            "POST",
            "/v1/import/xlsx?kind=evaluations",
            Some(&bomb),
            &[(
                "Content-Type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )],
        )
        .assert_error(422, "import.too_large");
    // Still alive, still answering.
    assert_eq!(office.get("/v1/office/assignments?limit=1").status, 200);
}
both!(sparse_workbook_with_a_far_cell);

/// The finding: 40 wrong passwords sent at once for one account were all
/// checked and answered as wrong passwords, past the limit of 10 in 15
/// minutes (the failures were counted after the check). Now each attempt
/// takes its slot before the check, so at most 10 guesses are ever checked.
fn parallel_guesses_do_not_get_past_the_lockout(backend: &Backend) {
    let server = Server::start(backend);
    let bad = serde_json::json!({"username": "fgw-head", "password": "wrong-password", "device_id": "d1", "device_name": "pc"});
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..40)
            .map(|_| {
                let anon = server.anon();
                let bad = bad.clone();
                s.spawn(move || {
                    let r = anon.post("/v1/auth/login", &bad);
                    (
                        r.status,
                        r.body["code"].as_str().unwrap_or_default().to_string(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = answers
        .iter()
        .filter(|(_, code)| code == "auth.invalid_credentials")
        .count();
    assert!(checked <= 10, "{checked} guesses were checked: {answers:?}");
    for (status, code) in &answers {
        assert!(
            matches!(
                (status, code.as_str()),
                (401, "auth.invalid_credentials") | (429, "auth.locked") | (503, "server.busy")
            ),
            "{answers:?}"
        );
    }
    // The account is locked now, even for the right password.
    let good = serde_json::json!({"username": "fgw-head", "password": DEMO_PASSWORD, "device_id": "d1", "device_name": "pc"});
    server
        .anon()
        .post("/v1/auth/login", &good)
        .assert_error(429, "auth.locked");
    // An unknown user name gets the same answer as a wrong password.
    let unknown = serde_json::json!({"username": "no-such-user", "password": "x", "device_id": "d2", "device_name": "pc"});
    server
        .anon()
        .post("/v1/auth/login", &unknown)
        .assert_error(401, "auth.invalid_credentials");
}
both!(parallel_guesses_do_not_get_past_the_lockout);

/// The finding: `GET /v1/stats?as_of=+200000-01-01` as a liaison took 6.8 s
/// (the working days of every overdue case were walked day by day up to
/// that date). Now a date outside the session's years is refused, and the
/// working-day count does bounded work whatever the range.
fn a_figures_date_centuries_away_is_refused(backend: &Backend) {
    let server = Server::start(backend);
    let liaison = server.login("fgw-liaison");
    for far in ["%2B200000-01-01", "1900-01-01"] {
        let r = liaison.get(&format!("/v1/stats?as_of={far}"));
        r.assert_error(400, "stats.as_of");
        let message = r.body["message"].as_str().unwrap();
        assert!(
            message.contains("请选择2024年至2029年之间的日期"),
            "{message}"
        );
    }
    // A date in the session's years is answered.
    assert_eq!(liaison.get("/v1/stats?as_of=2025-03-01").status, 200);
    assert_eq!(liaison.get("/v1/stats").status, 200);
}
both!(a_figures_date_centuries_away_is_refused);
