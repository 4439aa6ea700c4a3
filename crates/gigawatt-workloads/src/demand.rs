//! Demand: users over time, messages, tokens per message, tiers, model mix, features and the
//! daily and weekly profile → average and peak output tokens per second by tier.
//!
//! ```text
//! weekly users W(t)      linear between sourced points, compound growth g per year after the last
//! messages/day (tier)    = W · share · messages_per_user_per_day · intensity
//! intensity              = as given, or given ÷ Σ_tiers share · given with `intensity_relative_to`
//! out tokens/message     = base_out · (1 + Σ_f s_f · (m_out,f − 1))    over the features f open to the tier at t
//! in tokens/message      = base_in  · (1 + Σ_f s_f · (m_in,f − 1))
//! API (a volume tier)    out tokens/s = tokens/min(t) / 60 · output_share, in = the rest; T(t) like W(t)
//! average tokens/s       = messages/day · tokens/message / 86,400
//! peak tokens/s          = average · peak_to_average,   peak_to_average = max(hourly)/mean(hourly) · max(daily)/mean(daily)
//! ```
//!
//! Output tokens are the unit of demand and of capacity; input tokens are a load on the prefill
//! GPUs that the capacity model charges to each output token.

use gigawatt_core::date::Date;
use serde::Serialize;

/// A sourced count of weekly users.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UserPoint {
    /// When.
    pub date: Date,
    /// Weekly active users.
    pub weekly_users: f64,
}

/// A subscription tier.
#[derive(Clone, Debug, Serialize)]
pub struct Tier {
    /// Name (`free`, `plus`, `pro`).
    pub name: String,
    /// Serving priority: 1 is served first.
    pub priority: u32,
    /// Share of weekly users.
    pub share_of_users: f64,
    /// Messages per user relative to the average user.
    pub intensity: f64,
    /// Share of the tier's messages (or tokens) per model id.
    pub models: Vec<(String, f64)>,
    /// A tier measured in tokens rather than users (the API); `None` for a user tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<TokenVolume>,
}

/// A stream measured in tokens per minute (input and output) rather than users: the API.
#[derive(Clone, Debug, Serialize)]
pub struct TokenVolume {
    /// Tokens per minute at sourced dates, in date order.
    pub points: Vec<(Date, f64)>,
    /// Compound growth per year after the last point.
    pub growth_per_year: f64,
    /// Output tokens' share of the tokens.
    pub output_share: f64,
}

impl TokenVolume {
    /// Tokens (input and output) per minute on `day`.
    pub fn tokens_per_minute(&self, day: Date) -> f64 {
        let points: Vec<(f64, f64)> = self.points.iter().map(|&(d, v)| (d.days_since_epoch() as f64, v)).collect();
        interpolate(&points, self.growth_per_year, day)
    }
}

/// A sourced series at `day`: linear between points, flat before the first, compound growth of
/// `growth_per_year` after the last (points as (days since the epoch, value), in order, not empty).
fn interpolate(points: &[(f64, f64)], growth_per_year: f64, day: Date) -> f64 {
    let d = day.days_since_epoch() as f64;
    let (first, last) = (points[0], points[points.len() - 1]);
    if d <= first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let ((a, va), (b, vb)) = (w[0], w[1]);
        if d <= b {
            return va + (vb - va) * (d - a) / (b - a);
        }
    }
    last.1 * (1.0 + growth_per_year).powf((d - last.0) / 365.25)
}

/// A feature that multiplies the tokens of the messages that use it.
#[derive(Clone, Debug, Serialize)]
pub struct Feature {
    /// Name (`reasoning`, `agent`).
    pub name: String,
    /// Output tokens of a message using it ÷ a plain message's.
    pub output_multiplier: f64,
    /// Input tokens of a message using it ÷ a plain message's.
    pub input_multiplier: f64,
    /// Share of the tier's messages that use it, once available.
    pub share_of_messages: f64,
    /// Tiers it is open to.
    pub tiers: Vec<String>,
    /// Launch date (open from then on); `None` = always.
    pub from: Option<Date>,
}

/// The validated demand model.
#[derive(Clone, Debug, Serialize)]
pub struct Demand {
    /// Sourced user counts, in date order.
    pub users: Vec<UserPoint>,
    /// Growth of weekly users per year after the last point.
    pub growth_per_year: f64,
    /// Messages per weekly user per day.
    pub messages_per_user_per_day: f64,
    /// Input tokens per plain message (prompt plus the context sent with it).
    pub input_tokens_per_message: f64,
    /// Output tokens per plain message.
    pub output_tokens_per_message: f64,
    /// Tiers, in priority order.
    pub tiers: Vec<Tier>,
    /// Features.
    pub features: Vec<Feature>,
    /// Peak-hour demand ÷ average demand.
    pub peak_to_average: f64,
}

/// One tier's demand at a date.
#[derive(Clone, Debug, Serialize)]
pub struct TierDemand {
    /// Tier name.
    pub tier: String,
    /// Messages per day.
    pub messages_per_day: f64,
    /// Average output tokens/s.
    pub average_tokens_per_s: f64,
    /// Peak output tokens/s.
    pub peak_tokens_per_s: f64,
    /// Average output and input tokens/s per model id.
    pub by_model: Vec<ModelLoad>,
    /// Output tokens/s each open feature adds at peak, by feature name.
    pub feature_extra_peak_tokens_per_s: Vec<(String, f64)>,
}

/// The load one model carries for one tier.
#[derive(Clone, Debug, Serialize)]
pub struct ModelLoad {
    /// Model id.
    pub model: String,
    /// Average output tokens/s.
    pub output_tokens_per_s: f64,
    /// Average input tokens/s.
    pub input_tokens_per_s: f64,
}

/// Peak ÷ average of a daily and a weekly profile (relative weights).
pub fn peak_to_average(hourly: &[f64], daily: &[f64]) -> f64 {
    let ratio = |w: &[f64]| {
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        if mean > 0.0 { w.iter().copied().fold(0.0, f64::max) / mean } else { 1.0 }
    };
    ratio(hourly) * ratio(daily)
}

impl Demand {
    /// Weekly users on `day`.
    pub fn weekly_users(&self, day: Date) -> f64 {
        let points: Vec<(f64, f64)> =
            self.users.iter().map(|u| (u.date.days_since_epoch() as f64, u.weekly_users)).collect();
        interpolate(&points, self.growth_per_year, day)
    }

    /// Features open to `tier` on `day`.
    pub fn open_features<'a>(&'a self, tier: &'a str, day: Date) -> impl Iterator<Item = &'a Feature> + 'a {
        self.features.iter().filter(move |f| f.tiers.iter().any(|t| t == tier) && f.from.is_none_or(|from| from <= day))
    }

    /// Each tier's demand on `day`, in priority order.
    pub fn at(&self, day: Date) -> Vec<TierDemand> {
        let users = self.weekly_users(day);
        self.tiers
            .iter()
            .map(|t| {
                if let Some(v) = &t.volume {
                    return volume_demand(t, v, day, self.peak_to_average);
                }
                let messages = users * t.share_of_users * self.messages_per_user_per_day * t.intensity;
                let open: Vec<&Feature> = self.open_features(&t.name, day).collect();
                let out_factor =
                    1.0 + open.iter().map(|f| f.share_of_messages * (f.output_multiplier - 1.0)).sum::<f64>();
                let in_factor =
                    1.0 + open.iter().map(|f| f.share_of_messages * (f.input_multiplier - 1.0)).sum::<f64>();
                let out_per_s = messages * self.output_tokens_per_message * out_factor / 86_400.0;
                let in_per_s = messages * self.input_tokens_per_message * in_factor / 86_400.0;
                let plain_out = messages * self.output_tokens_per_message / 86_400.0;
                TierDemand {
                    tier: t.name.clone(),
                    messages_per_day: messages,
                    average_tokens_per_s: out_per_s,
                    peak_tokens_per_s: out_per_s * self.peak_to_average,
                    by_model: t
                        .models
                        .iter()
                        .map(|(m, share)| ModelLoad {
                            model: m.clone(),
                            output_tokens_per_s: out_per_s * share,
                            input_tokens_per_s: in_per_s * share,
                        })
                        .collect(),
                    feature_extra_peak_tokens_per_s: open
                        .iter()
                        .map(|f| {
                            let extra = plain_out * f.share_of_messages * (f.output_multiplier - 1.0);
                            (f.name.clone(), extra * self.peak_to_average)
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// A token-volume tier's demand on `day`: output tokens/s = tokens per minute ÷ 60 × the output
/// share, the rest input; no messages, no features.
fn volume_demand(t: &Tier, v: &TokenVolume, day: Date, peak_to_average: f64) -> TierDemand {
    let per_s = v.tokens_per_minute(day) / 60.0;
    let (out, input) = (per_s * v.output_share, per_s * (1.0 - v.output_share));
    TierDemand {
        tier: t.name.clone(),
        messages_per_day: 0.0,
        average_tokens_per_s: out,
        peak_tokens_per_s: out * peak_to_average,
        by_model: t
            .models
            .iter()
            .map(|(m, share)| ModelLoad {
                model: m.clone(),
                output_tokens_per_s: out * share,
                input_tokens_per_s: input * share,
            })
            .collect(),
        feature_extra_peak_tokens_per_s: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn demand() -> Demand {
        Demand {
            users: vec![
                UserPoint { date: d("2025-08-31"), weekly_users: 700e6 },
                UserPoint { date: d("2025-10-06"), weekly_users: 800e6 },
                UserPoint { date: d("2026-02-27"), weekly_users: 900e6 },
            ],
            growth_per_year: 0.2,
            messages_per_user_per_day: 3.7,
            input_tokens_per_message: 1000.0,
            output_tokens_per_message: 500.0,
            tiers: vec![Tier {
                name: "free".into(),
                priority: 1,
                share_of_users: 1.0,
                intensity: 1.0,
                models: vec![("m".into(), 1.0)],
                volume: None,
            }],
            features: vec![Feature {
                name: "reasoning".into(),
                output_multiplier: 20.0,
                input_multiplier: 1.0,
                share_of_messages: 0.1,
                tiers: vec!["free".into()],
                from: Some(d("2026-06-30")),
            }],
            peak_to_average: 1.5,
        }
    }

    #[test]
    fn users_follow_the_sourced_points_then_grow() {
        let dm = demand();
        assert_eq!(dm.weekly_users(d("2025-01-01")), 700e6);
        assert_eq!(dm.weekly_users(d("2025-10-06")), 800e6);
        let mid = dm.weekly_users(d("2025-12-01"));
        assert!(mid > 800e6 && mid < 900e6);
        let later = dm.weekly_users(d("2027-02-27"));
        assert!((later / 900e6 - 1.2).abs() < 0.002, "{later}");
    }

    #[test]
    fn chatgpt_text_today_is_about_15_million_output_tokens_per_second() {
        // 700M users × 3.7 messages/day × 500 tokens ≈ 15M tok/s (workloads reference §4 item 7: 14.5M).
        let t = &demand().at(d("2025-08-31"))[0];
        assert!((t.average_tokens_per_s / 1e6 - 15.0).abs() < 0.1, "{}", t.average_tokens_per_s);
        assert_eq!(t.peak_tokens_per_s, t.average_tokens_per_s * 1.5);
    }

    #[test]
    fn a_feature_multiplies_tokens_from_its_launch() {
        let dm = demand();
        let before = dm.at(d("2026-06-29"))[0].average_tokens_per_s;
        let after = dm.at(d("2026-06-30"))[0].average_tokens_per_s;
        assert!((after / before - (1.0 + 0.1 * 19.0)).abs() < 0.01, "{before} {after}");
    }

    #[test]
    fn peak_to_average_multiplies_daily_and_weekly_peaks() {
        let hourly: Vec<f64> = (0..24).map(|h| if h == 20 { 2.0 } else { 1.0 }).collect();
        let p = peak_to_average(&hourly, &[1.0; 7]);
        assert!((p - 2.0 / (25.0 / 24.0)).abs() < 1e-12);
    }
}
