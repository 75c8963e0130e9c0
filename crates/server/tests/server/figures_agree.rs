//! The desktop and the server compute the same figures from the same data:
//! the demo imported into a desktop store and loaded by the server, as of
//! the same day, give the same `Figures` (first reply days, mean working
//! days to reply, rates, counts) for the city and for every unit.

use jianban_domain::demo::demo_data;
use jianban_domain::WorkingCalendar;
use jianban_stats::{Figures, Scope};
use jianban_store::Store;
use serde_json::Value;

use crate::both;
use crate::harness::*;

fn desktop_and_server_figures_agree(backend: &Backend) {
    let demo = demo_data();
    // The server loads the demo as of its own today; so does the store.
    let server = Server::start(backend);
    let today = chrono::Local::now().date_naive();
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("desktop.sqlite3")).unwrap();
    store.import_demo_as_of(&demo, today).unwrap();
    let input = store.stats_input(None, None).unwrap().unwrap();
    assert!(
        input.rows.iter().filter(|r| r.replied_on.is_some()).count() >= 10,
        "the demo sends replies on known days"
    );

    let office = server.login("office1");
    let calendar = WorkingCalendar::national();
    let mut scopes = vec![Scope::City];
    scopes.extend(demo.units.iter().map(|u| Scope::Unit {
        unit_id: u.id.to_string(),
        unit_name: u.name.clone(),
    }));
    let mut with_replies = 0;
    for scope in scopes {
        let query = match &scope {
            Scope::City => format!("/v1/stats?as_of={today}"),
            Scope::Unit { unit_id, .. } => format!("/v1/stats?as_of={today}&unit={unit_id}"),
        };
        let r = office.get(&query);
        assert_eq!(r.status, 200, "{}", r.body);
        let desktop = Figures::compute(&input.rows, scope.clone(), today, &calendar);
        let desktop: Value = serde_json::to_value(&desktop).unwrap();
        // Figure by figure, so that a mismatch names the figure.
        for (key, value) in desktop.as_object().unwrap() {
            assert_eq!(&r.body[key], value, "{key} for {scope:?}");
        }
        assert_eq!(r.body, desktop, "figures for {scope:?}");
        with_replies += usize::from(!r.body["avg_working_days_to_reply"].is_null());
    }
    assert!(with_replies >= 5, "few scopes with a known reply day");
}
both!(desktop_and_server_figures_agree);
