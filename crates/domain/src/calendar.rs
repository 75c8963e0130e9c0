//! The working-day calendar: weekends, national holidays and adjusted working
//! weekends (调休).
//!
//! The calendar is data, not code: the office publishes next year's holidays
//! each November and units load it without a new release. The national
//! calendars for 2024–2026 ship embedded (`data/holidays-cn.json`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The calendar file's format tag; a file with another tag is refused.
pub const CALENDAR_FORMAT: &str = "jianban-holiday-calendar/1";

const NATIONAL_JSON: &str = include_str!("../data/holidays-cn.json");

/// One holiday as the State Council notice lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    /// First day off (inclusive).
    pub from: NaiveDate,
    /// Last day off (inclusive).
    pub to: NaiveDate,
    /// Weekend days that are working days because of this holiday.
    #[serde(default)]
    pub work: Vec<NaiveDate>,
}

/// One year's notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayYear {
    pub year: i32,
    /// The notice it comes from, e.g. 国办发明电〔2023〕7号.
    #[serde(default)]
    pub notice: String,
    pub holidays: Vec<Holiday>,
}

/// The calendar file as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFile {
    pub format: String,
    #[serde(default)]
    pub source: String,
    pub years: Vec<HolidayYear>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("节假日文件无法读取：{0}。请确认文件为办公室发布的节假日安排（JSON格式）。")]
    Parse(String),
    #[error("节假日文件格式“{0}”不受支持，请使用“{CALENDAR_FORMAT}”格式的文件。")]
    Format(String),
    #[error("{year}年“{name}”的日期有误：{detail}。请核对国务院办公厅通知后重新导入。")]
    Invalid {
        year: i32,
        name: String,
        detail: String,
    },
    #[error("{0}年的节假日安排重复出现，请只保留一份。")]
    DuplicateYear(i32),
}

/// Which days are working days.
///
/// A day listed as an adjusted working day is a working day; a day inside a
/// holiday is not; otherwise Monday to Friday are. Years with no published
/// notice fall back to plain weekends, and [`WorkingCalendar::covers`] tells
/// the UI to warn about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkingCalendar {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
    years: BTreeMap<i32, HolidayYear>,
}

impl WorkingCalendar {
    /// Weekends only, no holidays.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// The national calendars shipped with the application (2024–2026).
    pub fn national() -> Self {
        Self::from_json(NATIONAL_JSON).expect("the embedded national calendar is valid")
    }

    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile =
            serde_json::from_str(json).map_err(|e| CalendarError::Parse(e.to_string()))?;
        Self::from_file(file)
    }

    pub fn from_file(file: CalendarFile) -> Result<Self, CalendarError> {
        if file.format != CALENDAR_FORMAT {
            return Err(CalendarError::Format(file.format));
        }
        let mut cal = Self::default();
        for year in file.years {
            cal.add_year(year)?;
        }
        Ok(cal)
    }

    /// Adds or replaces one year's notice (the office publishes next year's
    /// in November). Replacing removes the old year's dates first.
    pub fn add_year(&mut self, year: HolidayYear) -> Result<(), CalendarError> {
        for h in &year.holidays {
            let bad = |detail: &str| CalendarError::Invalid {
                year: year.year,
                name: h.name.clone(),
                detail: detail.to_string(),
            };
            if h.to < h.from {
                return Err(bad("结束日期早于开始日期"));
            }
            if (h.to - h.from).num_days() > 31 {
                return Err(bad("假期超过31天"));
            }
            // A notice may run into the next year (元旦 on 12-31), so allow
            // one year either side but nothing wilder.
            for d in [h.from, h.to].iter().chain(h.work.iter()) {
                if (d.year() - year.year).abs() > 1 {
                    return Err(bad("日期不在该年份附近"));
                }
            }
            for w in &h.work {
                if !is_weekend(*w) {
                    return Err(bad("调休上班日应为周六或周日"));
                }
            }
        }
        self.remove_year(year.year);
        for h in &year.holidays {
            let mut d = h.from;
            while d <= h.to {
                self.off.insert(d);
                d = d + Days::new(1);
            }
            self.work.extend(h.work.iter().copied());
        }
        self.years.insert(year.year, year);
        Ok(())
    }

    fn remove_year(&mut self, year: i32) {
        if let Some(old) = self.years.remove(&year) {
            for h in &old.holidays {
                let mut d = h.from;
                while d <= h.to {
                    self.off.remove(&d);
                    d = d + Days::new(1);
                }
                for w in &h.work {
                    self.work.remove(w);
                }
            }
        }
    }

    /// The calendar as a file, to store or to send to units.
    pub fn to_file(&self) -> CalendarFile {
        CalendarFile {
            format: CALENDAR_FORMAT.to_string(),
            source: "国务院办公厅关于部分节假日安排的通知".to_string(),
            years: self.years.values().cloned().collect(),
        }
    }

    /// Whether a notice for `year` has been loaded.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.work.contains(&d) {
            return true;
        }
        if self.off.contains(&d) {
            return false;
        }
        !is_weekend(d)
    }

    /// `d` itself if it is a working day, else the next working day
    /// (a deadline that falls on a holiday moves to the first day after it).
    pub fn roll_forward(&self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        d
    }

    /// The `n`-th working day after `start` (not counting `start`).
    /// `add_working_days(d, 0)` is `d` rolled forward.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        if left == 0 {
            return self.roll_forward(d);
        }
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`: how many working days it takes to get
    /// from `from` to `to`. Negative when `to` is before `from`.
    ///
    /// Bounded work whatever the range (a date from a request can be
    /// centuries away): weekdays are counted by whole weeks, then the
    /// notices' exceptions inside the range are applied.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        use std::ops::Bound::{Excluded, Included};
        if to < from {
            return -self.working_days_between(to, from);
        }
        let days = (to - from).num_days();
        let weeks = days / 7;
        let mut n = weeks * 5;
        // The last partial week: at most six days.
        let mut d = from + chrono::Duration::days(weeks * 7);
        while d < to {
            d = d + Days::new(1);
            if !is_weekend(d) {
                n += 1;
            }
        }
        let range = (Excluded(from), Included(to));
        // A listed working day wins over a holiday (is_working_day).
        let holidays = self
            .off
            .range(range)
            .filter(|d| !is_weekend(**d) && !self.work.contains(d))
            .count() as i64;
        let worked_weekends = self.work.range(range).filter(|d| is_weekend(**d)).count() as i64;
        n - holidays + worked_weekends
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The day-by-day definition the fast count must equal.
    fn count_day_by_day(cal: &WorkingCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if to < from {
            (to, from, -1)
        } else {
            (from, to, 1)
        };
        let mut n = 0;
        let mut d = lo;
        while d < hi {
            d = d + Days::new(1);
            if cal.is_working_day(d) {
                n += 1;
            }
        }
        sign * n
    }

    proptest::proptest! {
        #[test]
        fn working_days_between_counts_as_day_by_day(
            start in 0i64..(365 * 4),
            len in -800i64..800,
        ) {
            let cal = WorkingCalendar::national();
            let from = date("2023-06-01") + chrono::Duration::days(start);
            let to = from + chrono::Duration::days(len);
            proptest::prop_assert_eq!(
                cal.working_days_between(from, to),
                count_day_by_day(&cal, from, to)
            );
        }
    }

    #[test]
    fn a_range_of_centuries_is_counted_without_walking_it() {
        let cal = WorkingCalendar::national();
        let far = NaiveDate::from_ymd_opt(200_000, 1, 1).unwrap();
        let n = cal.working_days_between(date("2024-01-01"), far);
        // About five working days in seven, less the 2024–2026 holidays.
        let days = (far - date("2024-01-01")).num_days();
        assert!((n - days * 5 / 7).abs() < 100, "{n}");
    }

    #[test]
    fn national_calendar_knows_holidays_and_adjusted_weekends() {
        let cal = WorkingCalendar::national();
        for y in [2024, 2025, 2026] {
            assert!(cal.covers(y), "{y}");
        }
        assert!(!cal.covers(2027));
        // 春节 2025: 01-28 … 02-04 off, Sunday 01-26 and Saturday 02-08 worked.
        assert!(!cal.is_working_day(date("2025-01-28")));
        assert!(!cal.is_working_day(date("2025-02-04")));
        assert!(cal.is_working_day(date("2025-01-26")));
        assert!(cal.is_working_day(date("2025-02-08")));
        assert!(cal.is_working_day(date("2025-02-05")));
        // An ordinary Saturday.
        assert!(!cal.is_working_day(date("2025-03-01")));
        // 国庆 2026 and its adjusted Sunday.
        assert!(!cal.is_working_day(date("2026-10-05")));
        assert!(cal.is_working_day(date("2026-09-20")));
    }

    #[test]
    fn working_day_arithmetic_skips_holidays() {
        let cal = WorkingCalendar::national();
        // Friday 2025-01-24 + 1 working day: Sunday 01-26 is an adjusted working day.
        assert_eq!(
            cal.add_working_days(date("2025-01-24"), 1),
            date("2025-01-26")
        );
        // 01-27 (Mon) + 1 → 02-05 (Wed), skipping the whole 春节 holiday.
        assert_eq!(
            cal.add_working_days(date("2025-01-27"), 1),
            date("2025-02-05")
        );
        assert_eq!(
            cal.working_days_between(date("2025-01-27"), date("2025-02-05")),
            1
        );
        // Across the year end: 2025-12-31 (Wed) + 1 → 2026-01-04 (Sun, adjusted).
        assert_eq!(
            cal.add_working_days(date("2025-12-31"), 1),
            date("2026-01-04")
        );
        assert_eq!(cal.roll_forward(date("2026-10-01")), date("2026-10-08"));
    }

    #[test]
    fn a_year_can_be_replaced_and_bad_files_are_refused() {
        let mut cal = WorkingCalendar::national();
        let y2027 = HolidayYear {
            year: 2027,
            notice: "测试".into(),
            holidays: vec![Holiday {
                name: "元旦".into(),
                from: date("2027-01-01"),
                to: date("2027-01-01"),
                work: vec![],
            }],
        };
        cal.add_year(y2027.clone()).unwrap();
        assert!(cal.covers(2027));
        assert!(!cal.is_working_day(date("2027-01-01")));
        // Replacing 2027 with an empty notice restores 01-01 as a working Friday.
        cal.add_year(HolidayYear {
            holidays: vec![],
            ..y2027
        })
        .unwrap();
        assert!(cal.is_working_day(date("2027-01-01")));

        let err = WorkingCalendar::from_json("{").unwrap_err();
        assert!(matches!(err, CalendarError::Parse(_)));
        let err = WorkingCalendar::from_json(r#"{"format":"x","years":[]}"#).unwrap_err();
        assert_eq!(err, CalendarError::Format("x".into()));
        let bad = r#"{"format":"jianban-holiday-calendar/1","years":[{"year":2027,"holidays":[
            {"name":"春节","from":"2027-02-10","to":"2027-02-01","work":[]}]}]}"#;
        assert!(matches!(
            WorkingCalendar::from_json(bad),
            Err(CalendarError::Invalid { .. })
        ));
        let bad_work = r#"{"format":"jianban-holiday-calendar/1","years":[{"year":2027,"holidays":[
            {"name":"春节","from":"2027-02-10","to":"2027-02-12","work":["2027-02-03"]}]}]}"#;
        assert!(WorkingCalendar::from_json(bad_work).is_err());
    }

    #[test]
    fn round_trips_through_its_file_form() {
        let cal = WorkingCalendar::national();
        let again = WorkingCalendar::from_file(cal.to_file()).unwrap();
        assert_eq!(cal, again);
    }
}
