//! Date, time, timestamp and interval values.
//!
//! Timestamps keep the precision they were written with (an Ion timestamp `2017T` is a
//! year, `2017-01-02T03:04Z` a minute) and an optional UTC offset (`None` is the unknown
//! offset `-00:00`), because PartiQL results compare and print them with that precision.

use std::fmt::{self, Write as _};

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// A time of day with an optional offset, to nanosecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanos: u32,
    /// Digits of the fractional second as written (0..=9).
    pub fraction_digits: u8,
    /// Offset from UTC in minutes, when the time has a zone.
    pub offset_minutes: Option<i16>,
}

/// How much of a timestamp was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Year,
    Month,
    Day,
    Minute,
    Second,
}

/// A point in time with the precision it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanos: u32,
    pub fraction_digits: u8,
    pub precision: Precision,
    /// Offset from UTC in minutes; `None` is the unknown offset `-00:00`.
    pub offset_minutes: Option<i16>,
    /// An Ion timestamp (from a backtick literal or JSON `$ion_timestamp`) rather than a
    /// SQL `TIMESTAMP`; they print differently.
    pub ion: bool,
}

/// An interval: year-month or day-time. Two intervals are equal when their values are;
/// the qualifier only bounds results and shapes how the value prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interval {
    YearMonth { months: i64, q: IntervalQualifier },
    DayTime { nanos: i128, q: IntervalQualifier },
}

/// A field of an interval qualifier, from the most significant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntervalField {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

impl IntervalField {
    pub fn parse(name: &str) -> Option<IntervalField> {
        Some(match name.to_ascii_uppercase().as_str() {
            "YEAR" => IntervalField::Year,
            "MONTH" => IntervalField::Month,
            "DAY" => IntervalField::Day,
            "HOUR" => IntervalField::Hour,
            "MINUTE" => IntervalField::Minute,
            "SECOND" => IntervalField::Second,
            _ => return None,
        })
    }

    /// Nanoseconds in one unit of a day-time field (0 for year-month fields).
    pub fn nanos(self) -> i128 {
        match self {
            IntervalField::Year | IntervalField::Month => 0,
            IntervalField::Day => 86_400_000_000_000,
            IntervalField::Hour => 3_600_000_000_000,
            IntervalField::Minute => 60_000_000_000,
            IntervalField::Second => 1_000_000_000,
        }
    }
}

/// The qualifier an interval was made with (`DAY(3) TO SECOND(6)`): its leading field and
/// precision bound the values arithmetic may produce, its fractional precision truncates
/// them. `literal` marks a value written as a literal (or derived from one by `ABS` or
/// negation), which prints only the fields it was written with.
///
/// The qualifier is not part of the value: it takes no part in equality or hashing.
#[derive(Clone, Copy, Debug)]
pub struct IntervalQualifier {
    pub lead: IntervalField,
    pub end: IntervalField,
    /// Digits of the leading field (1..=9).
    pub precision: u8,
    /// Digits of the fractional second (0..=9).
    pub fraction: u8,
    pub literal: bool,
}

impl PartialEq for IntervalQualifier {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for IntervalQualifier {}
impl std::hash::Hash for IntervalQualifier {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl IntervalQualifier {
    /// The widest year-month qualifier, for values from data.
    pub const YEAR_MONTH: IntervalQualifier = IntervalQualifier {
        lead: IntervalField::Year,
        end: IntervalField::Month,
        precision: 9,
        fraction: 0,
        literal: false,
    };
    /// The widest day-time qualifier, for values from data and datetime differences.
    pub const DAY_TIME: IntervalQualifier = IntervalQualifier {
        lead: IntervalField::Day,
        end: IntervalField::Second,
        precision: 9,
        fraction: 9,
        literal: false,
    };
}

impl Interval {
    pub fn year_month(months: i64) -> Interval {
        Interval::YearMonth {
            months,
            q: IntervalQualifier::YEAR_MONTH,
        }
    }

    pub fn day_time(nanos: i128) -> Interval {
        Interval::DayTime {
            nanos,
            q: IntervalQualifier::DAY_TIME,
        }
    }

    pub fn qualifier(&self) -> IntervalQualifier {
        match self {
            Interval::YearMonth { q, .. } | Interval::DayTime { q, .. } => *q,
        }
    }

    /// The same interval with another qualifier.
    pub fn with_qualifier(self, q: IntervalQualifier) -> Interval {
        match self {
            Interval::YearMonth { months, .. } => Interval::YearMonth { months, q },
            Interval::DayTime { nanos, .. } => Interval::DayTime { nanos, q },
        }
    }
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Time {
    /// Nanoseconds since midnight, ignoring the offset.
    pub fn nanos_of_day(&self) -> i64 {
        ((i64::from(self.hour) * 60 + i64::from(self.minute)) * 60 + i64::from(self.second))
            * 1_000_000_000
            + i64::from(self.nanos)
    }
}

fn write_fraction(out: &mut String, nanos: u32, digits: u8) {
    if digits == 0 {
        return;
    }
    let s = format!("{nanos:09}");
    out.push('.');
    out.push_str(&s[..usize::from(digits.min(9))]);
}

fn write_offset(out: &mut String, offset: Option<i16>) {
    match offset {
        None => out.push_str("-00:00"),
        Some(0) => out.push('Z'),
        Some(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
        }
    }
}

impl Timestamp {
    /// The Ion timestamp of a year (`2017T`): year precision, unknown offset.
    pub fn year(year: i32) -> Timestamp {
        Timestamp {
            year,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            fraction_digits: 0,
            precision: Precision::Year,
            offset_minutes: None,
            ion: true,
        }
    }

    /// The Ion text form: `2017T`, `2017-02T`, `2017-02-03`, `2017-02-03T04:05Z`, ...
    pub fn to_ion_text(&self) -> String {
        let mut s = String::with_capacity(32);
        let _ = write!(s, "{:04}", self.year);
        match self.precision {
            Precision::Year => s.push('T'),
            Precision::Month => {
                let _ = write!(s, "-{:02}T", self.month);
            }
            Precision::Day => {
                let _ = write!(s, "-{:02}-{:02}", self.month, self.day);
            }
            Precision::Minute | Precision::Second => {
                let _ = write!(
                    s,
                    "-{:02}-{:02}T{:02}:{:02}",
                    self.month, self.day, self.hour, self.minute
                );
                if self.precision == Precision::Second {
                    let _ = write!(s, ":{:02}", self.second);
                    write_fraction(&mut s, self.nanos, self.fraction_digits);
                }
                write_offset(&mut s, self.offset_minutes);
            }
        }
        s
    }

    /// Parses the Ion text form of a timestamp.
    pub fn parse_ion(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        let num = |from: usize, len: usize| -> Option<u32> {
            let part = text.get(from..from + len)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let mut ts = Timestamp::year(num(0, 4)? as i32);
        if ts.year == 0 {
            return None;
        }
        if b.len() == 5 && b[4] == b'T' {
            return Some(ts);
        }
        if b.get(4) != Some(&b'-') {
            return None;
        }
        ts.month = num(5, 2)? as u8;
        if !(1..=12).contains(&ts.month) {
            return None;
        }
        if b.len() == 8 && b[7] == b'T' {
            ts.precision = Precision::Month;
            return Some(ts);
        }
        if b.get(7) != Some(&b'-') {
            return None;
        }
        ts.day = num(8, 2)? as u8;
        if ts.day == 0 || ts.day > days_in_month(ts.year, ts.month) {
            return None;
        }
        if b.len() == 10 || (b.len() == 11 && b[10] == b'T') {
            ts.precision = Precision::Day;
            return Some(ts);
        }
        if b.get(10) != Some(&b'T') {
            return None;
        }
        ts.hour = num(11, 2)? as u8;
        if b.get(13) != Some(&b':') {
            return None;
        }
        ts.minute = num(14, 2)? as u8;
        ts.precision = Precision::Minute;
        let mut i = 16;
        if b.get(i) == Some(&b':') {
            ts.second = num(17, 2)? as u8;
            ts.precision = Precision::Second;
            i = 19;
            if b.get(i) == Some(&b'.') {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                let digits = end - start;
                if digits == 0 || digits > 9 {
                    return None;
                }
                let frac: u32 = text[start..end].parse().ok()?;
                ts.nanos = frac * 10u32.pow((9 - digits) as u32);
                ts.fraction_digits = digits as u8;
                i = end;
            }
        }
        if ts.hour > 23 || ts.minute > 59 || ts.second > 59 {
            return None;
        }
        match b.get(i) {
            Some(b'Z') | Some(b'z') if b.len() == i + 1 => ts.offset_minutes = Some(0),
            Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let h = num(i + 1, 2)? as i16;
                let m = num(i + 4, 2)? as i16;
                if h > 23 || m > 59 {
                    return None;
                }
                let total = h * 60 + m;
                ts.offset_minutes = if *sign == b'-' {
                    if total == 0 {
                        None
                    } else {
                        Some(-total)
                    }
                } else {
                    Some(total)
                };
            }
            _ => return None,
        }
        Some(ts)
    }

    /// Nanoseconds since the Unix epoch in UTC (unknown offsets count as UTC).
    pub fn epoch_nanos(&self) -> i128 {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes.unwrap_or(0)) * 60;
        i128::from(secs) * 1_000_000_000 + i128::from(self.nanos)
    }
}
