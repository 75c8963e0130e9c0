//! Percentages to two decimals whose shown shares of a whole add up to
//! exactly 100.00%.
//!
//! Rounding each share on its own can give 99.99% or 100.01% (three thirds
//! are 33.33% each). The largest-remainder method works on hundredths of a
//! percent: every share gets its exact value rounded down, and the hundredths
//! still missing go, one each, to the shares with the largest remainders.
//! A tie goes to the larger count, then to the earlier share, so the result
//! does not depend on the order of the parts (a rate and its complement
//! still add up to 100.00%).

use serde::{Serialize, Serializer};

/// A percentage in hundredths of a percent: `Percent(3333)` is 33.33%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(pub u32);

impl Percent {
    pub const HUNDRED: Percent = Percent(10_000);

    /// The value as a number of percent (33.33), for charts and JSON.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Hundredths of a percent.
    pub fn hundredths(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for Percent {
    /// `33.33%`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
    }
}

/// JSON carries the number of percent (33.33), which charts use directly.
impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

/// The shares of `counts` in their sum, adding up to exactly 100.00% (or all
/// zero when the sum is zero). A zero count always gets 0.00%.
pub fn shares(counts: &[u64]) -> Vec<Percent> {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total == 0 {
        return vec![Percent(0); counts.len()];
    }
    let mut floors = Vec::with_capacity(counts.len());
    let mut remainders = Vec::with_capacity(counts.len());
    for (i, &c) in counts.iter().enumerate() {
        let scaled = c as u128 * 10_000;
        floors.push((scaled / total) as u32);
        remainders.push((scaled % total, c, i));
    }
    let given: u32 = floors.iter().sum();
    let missing = (10_000 - given) as usize;
    // Largest remainder first; on a tie the larger count, then the earlier.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for &(_, _, i) in remainders.iter().take(missing) {
        floors[i] += 1;
    }
    floors.into_iter().map(Percent).collect()
}

/// `part` of `whole` as a percentage, rounded the same way as the two shares
/// of a whole (part and rest), so a rate and its complement add up to
/// 100.00%. `None` when `whole` is zero (no rate to speak of).
pub fn rate(part: u64, whole: u64) -> Option<Percent> {
    if whole == 0 {
        return None;
    }
    let part = part.min(whole);
    Some(shares(&[part, whole - part])[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_s_shares() {
        // 67 A and 134 B of 201: 33.33% and 66.67%.
        assert_eq!(shares(&[67, 134]), vec![Percent(3333), Percent(6667)]);
        // 201 of 216 suggestions: 93.06%.
        assert_eq!(rate(201, 216), Some(Percent(9306)));
        assert_eq!(Percent(9306).to_string(), "93.06%");
        assert_eq!(Percent(5).to_string(), "0.05%");
        assert_eq!(Percent::HUNDRED.to_string(), "100.00%");
    }

    #[test]
    fn thirds_add_up() {
        let s = shares(&[1, 1, 1]);
        assert_eq!(s, vec![Percent(3334), Percent(3333), Percent(3333)]);
        assert_eq!(shares(&[0, 0]), vec![Percent(0), Percent(0)]);
        assert_eq!(shares(&[0, 7]), vec![Percent(0), Percent::HUNDRED]);
        assert_eq!(rate(0, 0), None);
    }
}
