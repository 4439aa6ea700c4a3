//! The power model against what can be computed by hand: energy conservation, the square wave's
//! analytic spectrum, a full floor's flat load at a known energy cost, storage of no capacity, the
//! Llama 3 paper's "tens of megawatts", and located errors for bad inputs.

use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, InputError, Model, SourceFile, load_scenario};
use gigawatt_power::inputs::{PowerSettings, bundled_defaults_file, read_defaults};
use gigawatt_power::metrics::spectrum;
use gigawatt_power::model::{GridSpec, JobPower, Levels, Mitigations, PhasePower, PowerModel, Segment};
use gigawatt_power::opex::{apply, energy_opex};
use gigawatt_power::series::site_series;
use gigawatt_power::wave::Grid;
use gigawatt_power::{PowerOptions, PowerResults, build_model, power, simulation};
use gigawatt_sim::job::SegmentEnd;

fn scenario_text(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn load(text: &str) -> Result<(Model, PowerSettings), InputError> {
    let model = load_scenario(&SourceFile::new("test.toml", text.to_string()), &Catalog::bundled().unwrap())?;
    let df = bundled_defaults_file();
    let settings = PowerSettings::from_model(&model, &read_defaults(&df)?, &df)?;
    Ok((model, settings))
}

fn options(model: &Model, days: f64, resolution_s: f64) -> PowerOptions {
    PowerOptions { seed: model.seed, from_day: 0.0, to_day: days, resolution_s, spectrum_at_s: None, prices: None }
}

fn run(text: &str, days: f64, resolution_s: f64) -> PowerResults {
    let (model, settings) = load(text).unwrap_or_else(|e| panic!("{e}"));
    let eval = evaluate(&model, &model.params.central());
    power(&model, &Catalog::bundled().unwrap(), &eval, &settings, &options(&model, days, resolution_s)).unwrap()
}

/// Llama 3's scenario with `extra` appended (a `[power]` section).
fn llama3_with(extra: &str) -> String {
    format!("{}\n{extra}\n", scenario_text("llama3-405b-16k.toml"))
}

/// Time at `hi` of a square wave of period `t` and duty `d` over `len` from its origin.
fn high_time(len: f64, t: f64, d: f64) -> f64 {
    let n = (len / t).floor();
    n * d * t + (len - n * t).min(d * t)
}

#[test]
fn energy_is_the_integral_of_power_at_every_resolution_and_matches_the_job_states() {
    let text = llama3_with("[power]\ncooling_time_constant_s = 0");
    let (model, settings) = load(&text).unwrap();
    let eval = evaluate(&model, &model.params.central());
    let opts = options(&model, 1.0, 1.0);
    let sim = simulation(&model, &eval, &opts).unwrap();
    let pm = build_model(&model, &Catalog::bundled().unwrap(), &eval, &settings, &sim);
    // By hand: the phase at idle all day, plus each job's GPUs above idle while it computes or writes.
    let ph = &pm.phases[0];
    let lv = pm.levels;
    let mut job_mwh = 0.0;
    for j in &pm.jobs {
        let cycle = j.interval + j.write;
        let mut above = 0.0; // fraction of TDP × s
        for s in &j.segments {
            let len = s.end - s.start;
            let k = (len / cycle).floor();
            let rest = len - k * cycle;
            let spans: Vec<f64> = std::iter::repeat_n(j.interval, k as usize).chain([rest.min(j.interval)]).collect();
            let compute: f64 = spans.iter().sum();
            let high: f64 = spans.iter().map(|&c| high_time(c, j.step, j.compute_share)).sum();
            above += (lv.communication - lv.idle) * compute + (lv.compute - lv.communication) * high;
            above += (lv.checkpoint - lv.idle) * (len - compute);
        }
        job_mwh += above * j.gpus as f64 * ph.gpu_tdp_mw / 3600.0;
    }
    let expected = ph.pue * (ph.it_mw_at(lv.idle) * 24.0 + job_mwh);
    for res in [1.0, 60.0, 900.0] {
        let r = run(&text, 1.0, res);
        let m = &r.total.metrics;
        let integral: f64 = r.series.last().unwrap().1.iter().sum::<f64>() * res / 3600.0;
        assert!((m.energy_mwh - integral).abs() < 1e-9 * integral, "reported {} vs integral {integral}", m.energy_mwh);
        assert!(
            (m.energy_mwh - expected).abs() < 1e-9 * expected,
            "at {res} s: {} MWh vs {expected} by hand",
            m.energy_mwh
        );
        assert!((m.hours - 24.0).abs() < 1e-12);
    }
}

/// One phase, one job that computes without stopping: a pure square wave.
fn square_wave_model(step: f64, duty: f64) -> PowerModel {
    PowerModel {
        phases: vec![PhasePower {
            name: "p".into(),
            site: "s".into(),
            state: None,
            pue: 1.0,
            compute_mw: 100.0,
            other_it_mw: 0.0,
            gpus: 1000,
            racks: 10,
            gpu_tdp_mw: 0.001,
            in_service: None,
        }],
        jobs: vec![JobPower {
            name: "j".into(),
            phase: 0,
            gpus: 1000,
            start: 0.0,
            end: 2000.0,
            interval: 1e12,
            write: 0.0,
            step,
            compute_share: duty,
            segments: vec![Segment { start: 0.0, end: 2000.0, how: SegmentEnd::End }],
            steady: None,
        }],
        levels: Levels { compute: 1.0, communication: 0.2, checkpoint: 0.1, idle: 0.1, serving: None },
        cooling_time_constant_s: 0.0,
        grid: GridSpec {
            ramp_windows_s: vec![1.0],
            ramp_limit_mw_per_s: 10.0,
            drop_window_s: 1.0,
            drop_limit_mw: 2600.0,
            band_hz: [0.1, 20.0],
            band_limit: 0.2,
            spectrum_window_s: 600.0,
        },
        mitigations: Mitigations::default(),
    }
}

#[test]
fn a_single_job_has_the_square_waves_analytic_spectrum() {
    let (step, duty) = (2.0, 0.3);
    let m = square_wave_model(step, duty);
    let g = Grid::new(100.0, 700.0, 0.01);
    let x = &site_series(&m, &g, &Mitigations::default())[0].grid_mw;
    let spec = spectrum(x, g.dt);
    let n = g.n as f64;
    let periods = (g.n as f64 * g.dt / step).round() as usize; // 300
    // The series holds bin averages of the wave; its edges (every 0.6 s and 2 s) fall on bin
    // boundaries, so it is the sampled pulse train of L = d·M high samples in M = T/Δ, whose DFT
    // at harmonic n (bin n × periods) is exactly |X| = A·(N/M)·|sin(π n L / M) / sin(π n / M)|
    // (the Dirichlet kernel); the continuous wave's Fourier series, N·A·|sin(π n d)|/(π n), is
    // the same to within (π n / M)²/3 (averaging and aliasing; 8e-5 for the fundamental).
    let amp = 1000.0 * 0.001 * (1.0 - 0.2);
    let big_m = step / g.dt;
    for h in 1..=5usize {
        let (f, p) = spec[h * periods - 1];
        assert!((f - h as f64 / step).abs() < 1e-9, "harmonic {h} at {f} Hz");
        let u = std::f64::consts::PI * h as f64;
        let exact = amp * (n / big_m) * ((u * duty).sin() / (u / big_m).sin()).abs();
        assert!((p.sqrt() - exact).abs() < 1e-9 * exact, "harmonic {h}: |X| {} vs {exact}", p.sqrt());
        let continuous = n * amp * (u * duty).sin().abs() / u;
        let tolerance = (u / big_m).powi(2) / 3.0 * 1.01;
        assert!((p.sqrt() / continuous - 1.0).abs() < tolerance, "harmonic {h} against the Fourier series");
    }
    let total: f64 = spec.iter().map(|p| p.1).sum();
    let off: f64 = spec.iter().enumerate().filter(|(k, _)| (k + 1) % periods != 0).map(|(_, p)| p.1).sum();
    assert!(off < 1e-12 * total, "energy between harmonics: {off} of {total}");
}

#[test]
fn a_full_floor_flattens_a_job_without_failures_at_the_energy_it_burns() {
    let base = scenario_text("llama3-405b-16k.toml")
        .replace("replicas = 1000", "replicas = 1\nfailures = \"none\"\nplanned_per_day = 0");
    // No cooling lag: the cooling starts in steady state at the first second's draw, which a lag
    // would carry into the baseline's energy (0.15 × 2.6 MW × 60 s ≈ 0.0065 MWh here).
    let text = format!("{base}\n[power]\ncooling_time_constant_s = 0\n[power.smoothing]\nfloor_percent = 100\n");
    let r = run(&text, 1.0, 1.0);
    let m = &r.total.metrics;
    assert!(m.peak_mw - m.min_mw < 1e-6, "a full floor leaves no swing: {} – {}", m.min_mw, m.peak_mw);
    assert!(m.max_ramp_up_mw_per_s < 1e-6 && m.max_ramp_down_mw_per_s < 1e-6 && m.largest_drop_mw < 1e-6);
    let base_m = r.baseline.as_ref().expect("a mitigation gives a baseline");
    assert!(base_m.peak_mw - base_m.min_mw > 5.0, "without the floor the job swings");
    // The floor burns the GPUs' headroom over the whole day: TDP × (1 − mean level) × PUE.
    let j = &r.jobs[0];
    let lv = &r.levels;
    let secs = 86_400.0;
    let high = high_time(secs, j.step_s, j.compute_share);
    let above_comm = (lv.compute - lv.communication) * high + lv.communication * secs;
    let tdp_mw = 16_384.0 * 700e-6;
    let pue = 1.15;
    let expected = tdp_mw * (lv.compute * secs - above_comm) / 3600.0 * pue;
    let floor = &r.mitigations[0];
    assert_eq!(floor.name, "floor");
    assert!(
        (floor.energy_mwh - expected).abs() < 1e-6 * expected,
        "floor costs {} MWh, by hand {expected}",
        floor.energy_mwh
    );
    assert!(floor.cost_usd > 0.0);
}

#[test]
fn storage_without_capacity_changes_nothing() {
    let text = llama3_with("[power]\n[power.battery]\nmwh = 0\nmw = 100\n[power.rack_storage]\nkwh = 0\nkw = 50\n");
    let r = run(&text, 0.5, 1.0);
    let base = r.baseline.as_ref().unwrap();
    assert_eq!(&r.total.metrics, base);
    for m in &r.mitigations {
        assert_eq!(&m.metrics, base, "{}", m.name);
        assert_eq!((m.energy_mwh, m.cost_usd, m.storage_losses_mwh), (0.0, 0.0, 0.0));
    }
    // …and storage with capacity does cut the swing, at a cost.
    let text = llama3_with("[power]\n[power.battery]\nmwh = 20\nmw = 20\n");
    let r = run(&text, 0.5, 1.0);
    let b = &r.mitigations[0];
    assert!(b.change.max_ramp_down_mw_per_s < -1.0 && b.change.largest_drop_mw < -1.0, "{:?}", b.change);
    assert!(b.storage_losses_mwh > 0.0);
}

#[test]
fn llama3_swings_are_on_the_order_of_tens_of_megawatts() {
    // Llama 3 paper §3.3.4: tens of thousands of GPUs changing power together cause "instant
    // fluctuations … on the order of tens of megawatts". Order of magnitude 10 MW: 10^0.5 – 10^1.5.
    let r = run(&scenario_text("llama3-405b-16k.toml"), 2.0, 1.0);
    let j = &r.jobs[0];
    let drop = r.total.metrics.largest_drop_mw;
    eprintln!(
        "Llama 3 16K: iteration swing {:.1} MW, stop {:.1} MW, largest 1 s drop {drop:.1} MW",
        j.iteration_swing_mw, j.stop_drop_mw
    );
    for x in [j.iteration_swing_mw, j.stop_drop_mw, drop] {
        assert!((10f64.powf(0.5)..10f64.powf(1.5)).contains(&x), "{x} MW is not of the order of 10 MW");
    }
}

#[test]
fn bad_power_inputs_are_located_errors() {
    let err = |extra: &str| load(&llama3_with(extra)).err().unwrap_or_else(|| panic!("accepted: {extra}")).to_string();
    let e = err("[power.gpu]\nidle = -0.1");
    assert!(
        e.starts_with("test.toml:")
            && e.contains(
                "GPU power when idle must be a fraction of TDP from 0 to 1 (a power cannot be negative), found -0.1"
            ),
        "{e}"
    );
    let e = err("[power]\n[power.smoothing]\nfloor_percent = 150");
    assert!(e.contains("GPU power floor must be a percentage from 0 to 100") && e.contains("found 150"), "{e}");
    let text = llama3_with("[power]\n[power.smoothing]\nfloor_percent = 150");
    let line = text.lines().position(|l| l.starts_with("floor_percent")).unwrap() + 1;
    assert!(e.starts_with(&format!("test.toml:{line}:17:")), "{e}");
    let e = err("[[power.job]]\nname = \"Llama 3.1 405B pretraining\"\nstep_s = 5");
    assert!(e.contains("no [[job]] named `Llama 3.1 405B pretraining`"), "{e}");
    let e = err("[[power.job]]\nstep_s = 0");
    assert!(e.contains("step time must be above 0"), "{e}");
    let e = err("[power]\n[power.battery]\nkwh = 5\nkw = 5");
    assert!(e.contains("a site battery is sized in MWh and MW"), "{e}");
    let e = err("[power]\nprice_usd_per_mwh = -5");
    assert!(e.contains("must be at least 0"), "{e}");
    let e = err("[power]\nwatts = 5");
    assert!(e.contains("unknown") || e.contains("watts"), "{e}");
}

#[test]
fn an_empty_price_series_or_one_without_rows_is_a_located_error() {
    // Found by the fuzz smoke: a header and no rows was an error without its place.
    for text in ["", "hour,usd_per_mwh,g_co2_p", "# only a comment\n"] {
        let file = SourceFile::new("prices.csv", text);
        let e = gigawatt_power::price::read_hourly(&file, false).unwrap_err();
        assert!(e.location().is_some(), "{text:?}: {e}");
    }
}

#[test]
fn an_hour_past_the_longest_simulation_is_a_located_error_not_a_huge_fill() {
    // Found by a 10-minute fuzz run: with --fill, a row at hour 5,555,555,555,555 after hour 0
    // filled the gap and asked for 4 GB before failing.
    let text = "hour,usd_per_mwh\n0,50\n5555555555555,55\n";
    for fill in [false, true] {
        let e = gigawatt_power::price::read_hourly(&SourceFile::new("prices.csv", text), fill).unwrap_err();
        assert!(e.to_string().contains("hour 5555555555555 is past the longest simulation"), "{e}");
        assert_eq!(e.location().map(|l| l.1), Some(3), "{e}");
    }
    // The last hour of the longest simulation is still allowed; the fill then holds that many hours.
    let last = gigawatt_power::price::MAX_HOUR;
    let s = gigawatt_power::price::read_hourly(
        &SourceFile::new("prices.csv", format!("hour,usd_per_mwh\n{},50\n{last},60\n", last - 1)),
        false,
    )
    .unwrap();
    assert_eq!(s.usd_per_mwh, [50.0, 60.0]);
}

#[test]
fn a_fully_loaded_site_at_the_plans_flat_price_gives_the_plans_electricity_line() {
    // Every GPU in one job held at TDP (a 100 % floor, no failures or planned stops), no cooling
    // lag, and a load factor of 1: the power model's facility draw is the plan's installed facility
    // power, and with no `state` the site pays the plan's own price (`[costs]
    // electricity_usd_per_mwh`). The two electricity lines then agree to rounding (1e-9).
    let base = scenario_text("llama3-405b-16k.toml")
        .replace("replicas = 1000", "replicas = 1\nfailures = \"none\"\nplanned_per_day = 0")
        .replace("gpus = 16384\ncheckpoint", "gpus = 24576\ncheckpoint");
    let text = format!(
        "{base}\n[costs]\nload_factor = 1\n[power]\ncooling_time_constant_s = 0\n[power.smoothing]\nfloor_percent = 100\n"
    );
    let r = run(&text, 1.0, 1.0);
    assert_eq!(r.jobs[0].gpus, 24_576, "the job holds every GPU of the phase");
    let (model, _) = load(&text).unwrap();
    let plan = gigawatt_core::plan(&model, gigawatt_core::PlanOptions { draws: 1000, seed: model.seed });
    let e = energy_opex(&plan, &r);
    assert_eq!(e.phases.len(), 1);
    let rel = (e.power_usd_per_year - e.plan_usd_per_year).abs() / e.plan_usd_per_year;
    assert!(rel < 1e-9, "power model {} vs plan {} USD/yr", e.power_usd_per_year, e.plan_usd_per_year);
    assert!((e.phases[0].power_mean_mw - plan.phases[0].facility_power_mw).abs() < 1e-6);

    // On the scenario as published (16,384 of 24,576 GPUs in the job, failures, checkpoints, the
    // 0.8 load factor) the lines differ, and `apply` puts the power model's into the totals.
    let text = scenario_text("llama3-405b-16k.toml").replace("replicas = 1000", "replicas = 1");
    let r = run(&text, 1.0, 1.0);
    let (model, _) = load(&text).unwrap();
    let mut plan = gigawatt_core::plan(&model, gigawatt_core::PlanOptions { draws: 1000, seed: model.seed });
    let e = energy_opex(&plan, &r);
    assert!((e.power_usd_per_year / e.plan_usd_per_year - 1.0).abs() > 0.01, "{e:?}");
    let maintenance = plan.totals.opex.maintenance_usd_per_year;
    apply(&mut plan, &e);
    let t = &plan.totals;
    assert_eq!(t.opex.energy_usd_per_year, e.power_usd_per_year);
    assert_eq!(t.opex_usd_per_year, e.power_usd_per_year + maintenance);
    assert_eq!(plan.phases[0].opex.total_usd_per_year, t.opex_usd_per_year);
    assert!((plan.per_gw.opex_usd_per_year * t.power_gw - t.opex_usd_per_year).abs() < 1e-6 * t.opex_usd_per_year);
}
