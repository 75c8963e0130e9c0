use jianban_stats::*;
use proptest::prelude::*;

proptest! {
    /// Shares of any whole add up to exactly 100.00%, each is within one
    /// hundredth of its exact value, and a zero count shows 0.00%.
    #[test]
    fn shares_add_up_to_one_hundred(counts in prop::collection::vec(0u64..100_000, 1..12)) {
        let total: u64 = counts.iter().sum();
        let s = shares(&counts);
        prop_assert_eq!(s.len(), counts.len());
        if total == 0 {
            prop_assert!(s.iter().all(|p| p.hundredths() == 0));
        } else {
            prop_assert_eq!(s.iter().map(|p| p.hundredths()).sum::<u32>(), 10_000);
            for (c, p) in counts.iter().zip(&s) {
                let exact = *c as f64 * 10_000.0 / total as f64;
                prop_assert!((p.hundredths() as f64 - exact).abs() < 1.0,
                    "{c} of {total}: {p} vs exact {exact}");
                if *c == 0 {
                    prop_assert_eq!(p.hundredths(), 0);
                }
            }
        }
    }

    /// A rate and its complement add up to 100.00% too.
    #[test]
    fn a_rate_and_its_rest_add_up(whole in 1u64..1_000_000, part_frac in 0.0f64..=1.0) {
        let part = (whole as f64 * part_frac) as u64;
        let a = rate(part, whole).unwrap();
        let b = rate(whole - part, whole).unwrap();
        prop_assert_eq!(a.hundredths() + b.hundredths(), 10_000);
    }
}

#[test]
fn shares_that_do_not_divide_evenly() {
    // 1/7 each: 14.2857…%; the shown shares still total 100.00%.
    let s = shares(&[1; 7]);
    let shown: Vec<String> = s.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        shown,
        ["14.29%", "14.29%", "14.29%", "14.29%", "14.28%", "14.28%", "14.28%"]
    );
    // Rounding each on its own would give 33.33 × 3 = 99.99%.
    assert_eq!(
        shares(&[2, 2, 2])
            .iter()
            .map(|p| p.hundredths())
            .sum::<u32>(),
        10_000
    );
}
