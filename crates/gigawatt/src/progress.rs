//! A progress bar on stderr for the commands that simulate: it appears only on a terminal and
//! only once a run has lasted a second, and shows the run's estimate (events, memory) beside
//! its ETA.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr that appears only on a terminal and only once a run has lasted a
/// second.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    terminal: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A bar of `units` units of `what` (`simulated replica-days`), with the run's estimate.
    pub fn new(units: u64, what: &str, estimate: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(units), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template(&format!("{{bar:40}} {{percent:>3}}% {what}, {{eta}} left ({{msg}})"))
        {
            bar.set_style(style);
        }
        bar.set_message(estimate.to_string());
        Progress {
            bar,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// One unit done (called from the worker threads).
    pub fn tick(&self) {
        self.add(1);
    }

    /// `n` units done (called from the worker threads).
    pub fn add(&self, n: u64) {
        self.bar.inc(n);
        if self.terminal
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Clears the bar.
    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}
