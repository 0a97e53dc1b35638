//! UTC formatting of unix seconds as `YYYY-MM-DD HH:MM:SS`, without a date library.
//!
//! The calendar arithmetic is Howard Hinnant's `civil_from_days` (proleptic Gregorian,
//! eras of 400 years = 146097 days), restricted to non-negative times.

const SECS_PER_DAY: u64 = 86_400;
/// Days from 0000-03-01 to 1970-01-01.
const EPOCH_SHIFT_DAYS: u64 = 719_468;
const DAYS_PER_ERA: u64 = 146_097;

/// Formats unix seconds as `YYYY-MM-DD HH:MM:SS` in UTC, e.g. `0` -> `1970-01-01 00:00:00`.
pub fn format_utc(unix_secs: u64) -> String {
    let (y, m, d) = civil_from_days(unix_secs / SECS_PER_DAY);
    let secs = unix_secs % SECS_PER_DAY;
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// The current time in unix seconds (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// (year, month 1..=12, day 1..=31) of the day `days` after 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + EPOCH_SHIFT_DAYS;
    let era = z / DAYS_PER_ERA;
    let doe = z - era * DAYS_PER_ERA; // day of era, [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1, [0, 365]
    let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`], for checking it.
#[cfg(test)]
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_timestamps() {
        // Each checked with `date -u -d @SECS '+%Y-%m-%d %H:%M:%S'`.
        let cases = [
            (0, "1970-01-01 00:00:00"),
            (68_256_000, "1972-03-01 00:00:00"),
            (951_782_400, "2000-02-29 00:00:00"),
            (951_868_800, "2000-03-01 00:00:00"),
            (1_234_567_890, "2009-02-13 23:31:30"),
            (1_709_251_199, "2024-02-29 23:59:59"),
            (1_795_492_800, "2026-11-24 04:00:00"),
            (4_102_444_800, "2100-01-01 00:00:00"),
            (4_107_456_000, "2100-02-28 00:00:00"),
            (4_107_542_400, "2100-03-01 00:00:00"),
            (253_402_300_799, "9999-12-31 23:59:59"),
        ];
        for (secs, want) in cases {
            assert_eq!(format_utc(secs), want, "{secs}");
        }
    }

    #[test]
    fn days_round_trip_and_dates_are_valid() {
        let mut prev = civil_from_days(0);
        for days in 1..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            assert!((y, m, d) > prev, "day {days} not after the previous one");
            prev = (y, m, d);
        }
    }

    #[test]
    fn largest_time_does_not_overflow() {
        assert!(format_utc(u64::MAX).ends_with(":15"));
    }
}
