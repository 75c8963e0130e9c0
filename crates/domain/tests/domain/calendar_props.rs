//! Property tests of working-day arithmetic across holidays and year ends.

use super::*;
use jianban_domain::Period;
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2023-12-01 … 2027-01-31: every shipped holiday and three year ends.
    (0i64..1158).prop_map(|n| date("2023-12-01") + chrono::Duration::days(n))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn adding_working_days_counts_back_exactly(start in any_date(), n in 0u32..300) {
        let cal = WorkingCalendar::national();
        let end = cal.add_working_days(start, n);
        prop_assert!(cal.is_working_day(end));
        if n > 0 {
            prop_assert!(end > start);
            prop_assert_eq!(cal.working_days_between(start, end), n as i64);
            prop_assert!(cal.add_working_days(start, n + 1) > end);
            // The day before the end is not past the (n-1)th working day.
            prop_assert_eq!(cal.working_days_between(start, end - chrono::Days::new(1)), n as i64 - 1);
        } else {
            prop_assert_eq!(end, cal.roll_forward(start));
        }
        prop_assert_eq!(cal.working_days_between(end, start), -cal.working_days_between(start, end));
    }

    #[test]
    fn period_ends_are_working_days_not_before_the_nominal_end(start in any_date(), n in 1u32..12) {
        let cal = WorkingCalendar::national();
        let end = Period::Months(n).end(start, &cal);
        let nominal = start.checked_add_months(chrono::Months::new(n)).unwrap();
        prop_assert!(cal.is_working_day(end));
        prop_assert!(end >= nominal);
        // Rolling forward only crosses days off.
        let mut d = nominal;
        while d < end {
            prop_assert!(!cal.is_working_day(d));
            d = d + chrono::Days::new(1);
        }
        let days = Period::Days(n * 5).end(start, &cal);
        prop_assert!(cal.is_working_day(days));
        prop_assert!(days >= start + chrono::Days::new((n * 5) as u64));
    }

    #[test]
    fn roll_forward_is_idempotent_and_warnings_grow_as_time_passes(
        start in any_date(), due in any_date()
    ) {
        let cal = WorkingCalendar::national();
        let r = cal.roll_forward(start);
        prop_assert_eq!(cal.roll_forward(r), r);
        let policy = DeadlinePolicy::default();
        let w1 = policy.warning(start, due, &cal);
        let w2 = policy.warning(start + chrono::Days::new(1), due, &cal);
        prop_assert!(w2 >= w1, "{start} {due}: {w1:?} then {w2:?}");
        prop_assert_eq!(w1 == WarningLevel::Overdue, start > due);
    }
}

#[test]
fn year_ends() {
    let cal = WorkingCalendar::national();
    // Friday 2024-12-27 + 2 working days → 2024-12-31 … + 3 → 2025-01-02 (元旦 off).
    assert_eq!(
        cal.add_working_days(date("2024-12-27"), 2),
        date("2024-12-31")
    );
    assert_eq!(
        cal.add_working_days(date("2024-12-27"), 3),
        date("2025-01-02")
    );
    // 2026-12-31 (Thu) + 1: 2027 has no notice loaded yet, so only weekends count.
    assert_eq!(
        cal.add_working_days(date("2026-12-31"), 1),
        date("2027-01-01")
    );
    assert!(!cal.covers(2027));
}
