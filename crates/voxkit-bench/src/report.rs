//! Measurements, medians over rounds, ratios within rounds, the table and the JSON report.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use serde_json::{Value, json};

use crate::clients::{Kind, Workload};

/// One client, one workload, one round.
#[derive(Debug, Clone)]
pub struct Measurement {
    kind: Kind,
    workload: Workload,
    concurrency: usize,
    round: usize,
    calls: usize,
    wall_s: f64,
    cpu_us_per_call: f64,
    peak_rss_kb: u64,
    p50_us: f64,
    p99_us: f64,
}

impl Measurement {
    /// From a child's raw figures.
    pub fn new(
        kind: Kind,
        workload: Workload,
        concurrency: usize,
        wall: Duration,
        cpu: Duration,
        peak_rss_kb: u64,
        mut latencies_ns: Vec<u64>,
    ) -> Measurement {
        latencies_ns.sort_unstable();
        let pct = |p: f64| {
            if latencies_ns.is_empty() {
                0.0
            } else {
                let i = ((latencies_ns.len() - 1) as f64 * p).round() as usize;
                latencies_ns[i] as f64 / 1000.0
            }
        };
        let calls = latencies_ns.len().max(1);
        Measurement {
            kind,
            workload,
            concurrency,
            round: 0,
            calls,
            wall_s: wall.as_secs_f64(),
            cpu_us_per_call: cpu.as_secs_f64() * 1e6 / calls as f64,
            peak_rss_kb,
            p50_us: pct(0.50),
            p99_us: pct(0.99),
        }
    }

    /// Wall time per call in µs (the inverse of throughput).
    fn us_per_call(&self) -> f64 {
        self.wall_s * 1e6 / self.calls as f64
    }

    /// The child's output line.
    pub fn to_json(&self) -> String {
        json!({
            "client": self.kind.name(), "workload": self.workload.name(),
            "concurrency": self.concurrency, "calls": self.calls, "wall_s": self.wall_s,
            "cpu_us_per_call": self.cpu_us_per_call, "peak_rss_kb": self.peak_rss_kb,
            "p50_us": self.p50_us, "p99_us": self.p99_us,
        })
        .to_string()
    }

    /// Reads a child's output line.
    pub fn from_json(line: &str, round: usize) -> Result<Measurement, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line:?}"))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Ok(Measurement {
            kind: Kind::parse(&s("client")).ok_or("bad client")?,
            workload: Workload::parse(&s("workload")).ok_or("bad workload")?,
            concurrency: v["concurrency"].as_u64().unwrap_or(1) as usize,
            round,
            calls: v["calls"].as_u64().unwrap_or(1) as usize,
            wall_s: f("wall_s"),
            cpu_us_per_call: f("cpu_us_per_call"),
            peak_rss_kb: v["peak_rss_kb"].as_u64().unwrap_or(0),
            p50_us: f("p50_us"),
            p99_us: f("p99_us"),
        })
    }
}

/// Median, min and max of some values.
#[derive(Debug, Clone, Copy)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    /// As the JSON report writes every spread.
    fn to_json(self) -> Value {
        json!({"median": self.median, "min": self.min, "max": self.max})
    }
}

/// A spread of µs differences, signed: `+2.1 [-0.4–+5.0]`.
fn show_us(s: Spread) -> String {
    format!("{:+.1} [{:+.1}–{:+.1}]", s.median, s.min, s.max)
}

fn spread(mut values: Vec<f64>) -> Spread {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        return Spread {
            median: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
        };
    }
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    Spread {
        median,
        min: values[0],
        max: values[n - 1],
    }
}

/// Every measurement of a run.
pub struct Report {
    measurements: Vec<Measurement>,
    quick: bool,
}

type Key = (usize, usize); // (workload order, concurrency)

impl Report {
    /// A report over `measurements`.
    pub fn new(measurements: Vec<Measurement>, quick: bool) -> Report {
        Report {
            measurements,
            quick,
        }
    }

    fn groups(&self) -> BTreeMap<Key, Vec<&Measurement>> {
        let mut groups: BTreeMap<Key, Vec<&Measurement>> = BTreeMap::new();
        for m in &self.measurements {
            let order = match m.workload {
                Workload::Balance => 0,
                Workload::Recharge => 1,
                Workload::List => 2,
            };
            groups.entry((order, m.concurrency)).or_default().push(m);
        }
        groups
    }

    fn of(group: &[&Measurement], kind: Kind, f: impl Fn(&Measurement) -> f64) -> Spread {
        spread(
            group
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| f(m))
                .collect(),
        )
    }

    /// Per-round ratio `kind / other` of `f`, then their spread.
    fn ratio(
        group: &[&Measurement],
        kind: Kind,
        other: Kind,
        f: impl Fn(&Measurement) -> f64,
    ) -> Spread {
        Self::per_round(group, kind, other, |m, o| f(m) / f(o))
    }

    /// Per-round difference `kind − other` of `f`, then their spread: the brief's goals
    /// are stated as added CPU µs per call, which a ratio hides.
    fn difference(
        group: &[&Measurement],
        kind: Kind,
        other: Kind,
        f: impl Fn(&Measurement) -> f64,
    ) -> Spread {
        Self::per_round(group, kind, other, |m, o| f(m) - f(o))
    }

    /// `compare` of each round's `kind` measurement with the same round's `other` (rounds
    /// missing either are left out), then their spread: rounds run side by side, so a
    /// comparison within a round cancels what the machine was doing then.
    fn per_round(
        group: &[&Measurement],
        kind: Kind,
        other: Kind,
        compare: impl Fn(&Measurement, &Measurement) -> f64,
    ) -> Spread {
        let mut compared = Vec::new();
        for m in group.iter().filter(|m| m.kind == kind) {
            if let Some(o) = group.iter().find(|o| o.kind == other && o.round == m.round) {
                compared.push(compare(m, o));
            }
        }
        spread(compared)
    }

    /// The human table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{:<10} {:>3} {:<8} {:>10} {:>9} {:>9} {:>11} {:>9}",
            "workload", "c", "client", "calls/s", "p50 µs", "p99 µs", "CPU µs/call", "peak MB"
        );
        for group in self.groups().values() {
            let first = group[0];
            for kind in Kind::ALL {
                let per_call = Self::of(group, kind, Measurement::us_per_call);
                let _ = writeln!(
                    out,
                    "{:<10} {:>3} {:<8} {:>10.0} {:>9.1} {:>9.1} {:>11.1} {:>9.1}",
                    first.workload.name(),
                    first.concurrency,
                    kind.name(),
                    1e6 / per_call.median,
                    Self::of(group, kind, |m| m.p50_us).median,
                    Self::of(group, kind, |m| m.p99_us).median,
                    Self::of(group, kind, |m| m.cpu_us_per_call).median,
                    Self::of(group, kind, |m| m.peak_rss_kb as f64).median / 1024.0,
                );
            }
        }
        let _ = writeln!(
            out,
            "\nratios (median [min–max] of per-round ratios; < 1 means voxkit is cheaper)"
        );
        let _ = writeln!(
            out,
            "{:<10} {:>3} {:>26} {:>26} {:>26} {:>12} {:>26}",
            "workload",
            "c",
            "time/call vs reqwest",
            "time/call vs hyper",
            "CPU/call vs hyper",
            "RSS − reqwest",
            "CPU µs/call − reqwest"
        );
        out.push_str(&self.ratio_rows(Kind::Voxkit));
        out.push_str("\nvoxkit+hyper (the lean HyperTransport) against the same baselines\n");
        out.push_str(&self.ratio_rows(Kind::VoxkitLean));
        out
    }

    /// One row per workload and concurrency: `subject`'s time per call against reqwest
    /// and hyper, its CPU per call against hyper, and its RSS and CPU per call minus
    /// reqwest's (each a median with the spread of the per-round values).
    fn ratio_rows(&self, subject: Kind) -> String {
        let mut out = String::new();
        let show = |s: Spread| format!("{:.3} [{:.3}–{:.3}]", s.median, s.min, s.max);
        for group in self.groups().values() {
            let first = group[0];
            let rss = Self::of(group, subject, |m| m.peak_rss_kb as f64).median
                - Self::of(group, Kind::Reqwest, |m| m.peak_rss_kb as f64).median;
            let _ = writeln!(
                out,
                "{:<10} {:>3} {:>26} {:>26} {:>26} {:>9.2} MB {:>26}",
                first.workload.name(),
                first.concurrency,
                show(Self::ratio(
                    group,
                    subject,
                    Kind::Reqwest,
                    Measurement::us_per_call
                )),
                show(Self::ratio(
                    group,
                    subject,
                    Kind::Hyper,
                    Measurement::us_per_call
                )),
                show(Self::ratio(group, subject, Kind::Hyper, |m| m.cpu_us_per_call)),
                rss / 1024.0,
                show_us(Self::difference(group, subject, Kind::Reqwest, |m| m.cpu_us_per_call)),
            );
        }
        out
    }

    /// The JSON report.
    pub fn to_json(&self) -> String {
        let mut rows = Vec::new();
        for group in self.groups().values() {
            let first = group[0];
            let mut clients = serde_json::Map::new();
            for kind in Kind::ALL {
                let s = |f: &dyn Fn(&Measurement) -> f64| Self::of(group, kind, f).to_json();
                clients.insert(
                    kind.name().into(),
                    json!({
                        "us_per_call": s(&Measurement::us_per_call),
                        "p50_us": s(&|m| m.p50_us),
                        "p99_us": s(&|m| m.p99_us),
                        "cpu_us_per_call": s(&|m| m.cpu_us_per_call),
                        "peak_rss_kb": s(&|m| m.peak_rss_kb as f64),
                    }),
                );
            }
            let r = |kind, other, f: fn(&Measurement) -> f64| {
                Self::ratio(group, kind, other, f).to_json()
            };
            let d = |kind| {
                Self::difference(group, kind, Kind::Reqwest, |m| m.cpu_us_per_call).to_json()
            };
            rows.push(json!({
                "workload": first.workload.name(),
                "concurrency": first.concurrency,
                "calls_per_round": first.calls,
                "clients": clients,
                "ratios": {
                    "time_voxkit_over_reqwest": r(Kind::Voxkit, Kind::Reqwest, Measurement::us_per_call),
                    "time_voxkit_over_hyper": r(Kind::Voxkit, Kind::Hyper, Measurement::us_per_call),
                    "cpu_voxkit_over_hyper": r(Kind::Voxkit, Kind::Hyper, |m| m.cpu_us_per_call),
                    "cpu_voxkit_over_reqwest": r(Kind::Voxkit, Kind::Reqwest, |m| m.cpu_us_per_call),
                    "cpu_reqwest_over_hyper": r(Kind::Reqwest, Kind::Hyper, |m| m.cpu_us_per_call),
                    "cpu_us_voxkit_minus_reqwest": d(Kind::Voxkit),
                    "cpu_us_lean_minus_reqwest": d(Kind::VoxkitLean),
                    "time_lean_over_reqwest": r(Kind::VoxkitLean, Kind::Reqwest, Measurement::us_per_call),
                    "time_lean_over_hyper": r(Kind::VoxkitLean, Kind::Hyper, Measurement::us_per_call),
                    "cpu_lean_over_hyper": r(Kind::VoxkitLean, Kind::Hyper, |m| m.cpu_us_per_call),
                },
            }));
        }
        let rounds = self.measurements.iter().map(|m| m.round).max().unwrap_or(0);
        serde_json::to_string_pretty(&json!({
            "quick": self.quick,
            "rounds": rounds,
            "results": rows,
        }))
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_the_median() {
        let s = spread(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = spread(vec![4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
        assert!(spread(vec![]).median.is_nan());
    }

    #[test]
    fn measurements_round_trip_and_ratios_pair_rounds() {
        let m = |kind, round, wall| {
            let mut m = Measurement::new(
                kind,
                Workload::Balance,
                1,
                Duration::from_secs_f64(wall),
                Duration::from_millis(10),
                1000,
                vec![1000; 100],
            );
            m.round = round;
            Measurement::from_json(&m.to_json(), round).unwrap()
        };
        let all = vec![
            m(Kind::Voxkit, 1, 1.1),
            m(Kind::Reqwest, 1, 1.0),
            m(Kind::Hyper, 1, 1.0),
            m(Kind::Voxkit, 2, 2.0),
            m(Kind::Reqwest, 2, 2.0),
            m(Kind::Hyper, 2, 1.0),
        ];
        let report = Report::new(all, true);
        let groups = report.groups();
        let group = groups.values().next().unwrap();
        let r = Report::ratio(group, Kind::Voxkit, Kind::Reqwest, Measurement::us_per_call);
        assert!(
            (r.min - 1.0).abs() < 1e-9 && (r.max - 1.1).abs() < 1e-9,
            "{r:?}"
        );
        assert!(report.table().contains("balance"));
        let d = Report::difference(group, Kind::Voxkit, Kind::Reqwest, |m| m.us_per_call());
        assert!(
            (d.min - 0.0).abs() < 1e-9 && (d.max - 1e3).abs() < 1e-6,
            "{d:?}"
        );
        let json: Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["rounds"], 2);
    }
}
