//! # gigawatt-server
//!
//! `gigawatt serve`: a local web dashboard and the JSON API it uses (documented in
//! `docs/api.md`). Pick a bundled scenario or paste TOML, run the plan, the simulation and the
//! capacity run, and see the headline numbers and charts; errors in the TOML come back with line
//! and column.
//!
//! * **Local by default.** It binds to 127.0.0.1 unless told otherwise.
//! * **Self-contained.** The page, its script, the bundled scenarios ([`bundled`]) and the
//!   catalog are compiled into the binary; it reads no file and writes nothing but its run
//!   history.
//! * **Never a crash.** Request bodies are capped ([`MAX_BODY_BYTES`]); bad requests get a 4xx
//!   with a JSON error.
//! * **Bounded under load.** A request is read and checked against the server's bounds
//!   ([`MAX_SIM_NODES`], [`MAX_SIM_FAILURES`], [`MAX_SIM_MEMORY`], [`MAX_DRAWS`],
//!   [`MAX_OPERATE_EVENTS`]) before it waits for a run slot, so a refusal is immediate. Runs
//!   compute on blocking threads, at most [`MAX_CONCURRENT_RUNS`] at once; one that outlives the
//!   time limit ([`DEFAULT_TIME_LIMIT`]) or whose client hangs up is stopped ([`Stop`]) and frees
//!   its slot (an operated build-out is not stopped part-way: its event bound keeps it short). Health, the catalog, the
//!   bundled scenarios and the run history never wait for a slot.
//!
//! ## Adding an endpoint
//! A handler parses its query with [`parse_query`], then reads and checks the TOML body and
//! computes in a run slot with `compute` (built on [`read_toml`] and [`blocking`]), records the result with
//! `AppState::record_result`, and answers with JSON; then one `.route(…)` line in [`router`] and a
//! section in `docs/api.md`.

#![warn(missing_docs)]

pub mod bundled;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gigawatt_core::{Catalog, InputError, Model, Plan, PlanOptions, SourceFile, load_scenario, plan};
use gigawatt_report::chart::RenderedChart;
use gigawatt_report::chart::capacity::capacity_charts;
use gigawatt_report::chart::operate::operate_charts;
use gigawatt_report::chart::plan::plan_charts;
use gigawatt_report::chart::simulation::sim_charts;
use gigawatt_report::headline::{Card, capacity_cards, operate_cards, plan_cards, sim_cards};
use gigawatt_sim::{SimOptions, SimResults, Simulation};
use gigawatt_store::{Figure, History, NewRun, Store, StoreError};
use gigawatt_workloads::Capacity;
use serde::Serialize;
use tokio::sync::Semaphore;

/// Largest request body accepted (a scenario file is a few KB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Most Monte Carlo draws a dashboard run may ask for (the CLI allows 1,000,000).
pub const MAX_DRAWS: usize = 100_000;
/// Planning runs computed at once; further requests wait their turn.
pub const MAX_CONCURRENT_RUNS: usize = 2;
/// How long a request may take, waiting for a run slot included, before its run is stopped and
/// the client gets a 503; `gigawatt serve --time-limit` changes it.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(120);
/// Most memory a dashboard simulation may expect to use (its [`gigawatt_sim::WorkEstimate`]);
/// with [`MAX_CONCURRENT_RUNS`] at once the server stays within about 2 GiB.
pub const MAX_SIM_MEMORY: u64 = 1 << 30;
/// The scenario file name used for TOML that does not name one.
pub const PASTED: &str = "<pasted>";

const DASHBOARD: &str = include_str!("../assets/dashboard.html");
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the server needs: the catalog, where to record runs, the run limit, and whether it
/// serves this machine only.
#[derive(Clone)]
pub struct AppState {
    catalog: Arc<Catalog>,
    history: Arc<History>,
    runs: Arc<Semaphore>,
    loopback: bool,
    time_limit: Duration,
}

impl AppState {
    /// State over a catalog and a run history.
    pub fn new(catalog: Catalog, history: History) -> AppState {
        AppState {
            catalog: Arc::new(catalog),
            history: Arc::new(history),
            runs: Arc::new(Semaphore::new(MAX_CONCURRENT_RUNS)),
            loopback: true,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }

    /// The same state with another per-request time limit (see [`DEFAULT_TIME_LIMIT`]).
    pub fn with_time_limit(mut self, limit: Duration) -> AppState {
        self.time_limit = limit;
        self
    }

    /// The same state for a server bound to `bind`: on a loopback address only requests addressed
    /// to this machine by name are served (see [`guard`]).
    pub fn bound_to(mut self, bind: IpAddr) -> AppState {
        self.loopback = bind.is_loopback();
        self
    }

    /// Records a run made by the server (`source = "serve"`); returns its id, or `None` when
    /// recording is off or failed (a failure is logged on stderr; the response still succeeds).
    pub fn record(&self, run: NewRun<'_>) -> Option<i64> {
        match self.history.record(&NewRun { source: "serve", ..run }) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("gigawatt serve: warning: run not recorded: {e}");
                None
            }
        }
    }

    /// Records a result the server computed from `model` (see [`AppState::record`]).
    fn record_result(&self, kind: &str, model: &Model, seed: u64, figures: &[Figure], json: &str) -> Option<i64> {
        self.record(NewRun {
            kind,
            source: "serve",
            scenario_name: &model.name,
            scenario_file: &model.source.name,
            scenario_text: &model.source.text,
            seed: Some(seed),
            tool_version: env!("CARGO_PKG_VERSION"),
            figures,
            results_json: json,
        })
    }

    fn store(&self) -> Result<Store, ApiError> {
        match self.history.open() {
            Ok(Some(store)) => Ok(store),
            Ok(None) => {
                Err(ApiError::new(StatusCode::NOT_FOUND, "the run history is off (serve was started with --no-record)"))
            }
            Err(e) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())),
        }
    }
}

/// An error answer: status and a JSON body `{"error": {…}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Box<ErrorBody>,
}

/// The JSON of an error.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong.
    pub message: String,
    /// The file the problem is in (for scenario errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column of the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Byte offsets `[start, end)` of the offending text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    /// A short label for the offending text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What would be right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ApiError {
    /// An error with a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                status: status.as_u16(),
                message: message.into(),
                file: None,
                line: None,
                column: None,
                span: None,
                label: None,
                help: None,
            }),
        }
    }

    /// A path that axum could not read (not UTF-8, say), as a JSON 400.
    fn path(e: PathRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, format!("the path is not valid: {}", e.body_text()))
            .help("ids are plain text: a scenario id such as nvidia-openai-10gw, or a run number")
    }

    fn help(mut self, help: impl Into<String>) -> ApiError {
        self.body.help = Some(help.into());
        self
    }

    /// A scenario error (400) with its place in the text.
    pub fn input(e: &InputError) -> ApiError {
        let mut err = ApiError::new(StatusCode::BAD_REQUEST, e.message.clone());
        if let Some((file, line, column)) = e.location() {
            err.body.file = Some(file);
            if e.span.is_some() {
                err.body.line = Some(line);
                err.body.column = Some(column);
            }
        }
        err.body.span = e.span.as_ref().map(|s| [s.start, s.end]);
        err.body.label = e.label.clone();
        err.body.help = e.help.clone();
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &serde_json::json!({ "error": self.body }))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    // The same pretty JSON the CLI prints, so `POST /api/plan` equals `plan --format json`.
    let body = gigawatt_report::json::to_json(value);
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The routes: the dashboard, and the JSON API of `docs/api.md`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/api/health", get(health))
        .route("/api/scenarios", get(scenarios))
        .route("/api/scenarios/{id}", get(scenario))
        .route("/api/catalog", get(catalog))
        .route("/api/plan", post(plan_json))
        .route("/api/plan/view", post(plan_view))
        .route("/api/simulate", post(simulate_json))
        .route("/api/simulate/view", post(simulate_view))
        .route("/api/capacity", post(capacity_json))
        .route("/api/capacity/view", post(capacity_view))
        .route("/api/operate", post(operate_json))
        .route("/api/operate/view", post(operate_view))
        .route("/api/runs", get(runs_list))
        .route("/api/runs/{id}", get(run_show))
        .route("/api/runs/{a}/diff/{b}", get(run_diff))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Whether `host` (a `Host` header, or the authority of an `Origin`) names this machine:
/// `localhost`, `127.0.0.1` or `[::1]`, with any port.
fn is_local_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().map(|h| format!("[{h}]")).unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_ascii_lowercase()
    };
    matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// A header's value as text (`U+FFFD` where it is not visible ASCII).
fn header_text(req: &Request, name: header::HeaderName) -> Option<String> {
    req.headers().get(name).map(|v| v.to_str().unwrap_or("\u{fffd}").to_string())
}

/// Refuses requests that a web page elsewhere made the browser send (a 403 with a JSON error):
/// with an `Origin` header, the origin must be the server's own (`http://` and the `Host` of the
/// request); on a loopback address the `Host` must name this machine too, which defeats DNS
/// rebinding (a foreign name resolving to 127.0.0.1). Clients that send neither header (curl, the
/// tests) are served.
pub async fn guard(State(state): State<AppState>, req: Request, next: axum::middleware::Next) -> Response {
    let (host, origin) = (header_text(&req, header::HOST), header_text(&req, header::ORIGIN));
    if state.loopback
        && let Some(h) = &host
        && !is_local_host(h)
    {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!("requests to this dashboard must be addressed to localhost, not `{h}`"),
        )
        .help("open http://127.0.0.1:PORT/ or http://localhost:PORT/; to serve other hosts, start gigawatt serve with --bind")
        .into_response();
    }
    if let Some(origin) = origin {
        let same =
            origin.strip_prefix("http://").is_some_and(|o| host.as_deref().is_some_and(|h| o.eq_ignore_ascii_case(h)));
        if !same {
            return ApiError::new(StatusCode::FORBIDDEN, format!("cross-origin request from `{origin}` refused"))
                .help("the API serves the dashboard's own page and clients such as curl, not other web pages")
                .into_response();
        }
    }
    next.run(req).await
}

async fn dashboard() -> Response {
    let mut r = Response::new(Body::from(DASHBOARD));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

async fn health() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no such endpoint: {} {}", req.method(), req.uri().path()))
        .help("see docs/api.md; the endpoints start with /api/")
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("{} is not allowed on {}", req.method(), req.uri().path()))
}

async fn scenarios() -> Response {
    json_response(StatusCode::OK, &bundled::SCENARIOS.iter().map(bundled::Scenario::info).collect::<Vec<_>>())
}

async fn scenario(path: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(ApiError::path)?;
    let s = bundled::find(&id).ok_or_else(|| {
        let ids: Vec<&str> = bundled::SCENARIOS.iter().map(|s| s.id).collect();
        ApiError::new(StatusCode::NOT_FOUND, format!("no bundled scenario `{id}`"))
            .help(format!("bundled: {}", ids.join(", ")))
    })?;
    Ok(json_response(StatusCode::OK, &s.info()))
}

async fn catalog(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, state.catalog.as_ref())
}

/// Options of a request, from its query string. Each endpoint takes some of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanQuery {
    /// `seed=N`: overrides the scenario's seed.
    pub seed: Option<u64>,
    /// `draws=N`: overrides the scenario's draws (1,000 to [`MAX_DRAWS`]); planning only.
    pub draws: Option<usize>,
    /// `replicas=N`: overrides the scenario's simulation replicas (1 to [`MAX_REPLICAS`]).
    pub replicas: Option<u32>,
    /// `days=D`: overrides the scenario's simulated days (above 0, at most [`MAX_DAYS`]).
    pub days: Option<f64>,
    /// `sweep=true|false`: whether a simulation sweeps the checkpoint interval (default true).
    pub sweep: Option<bool>,
    /// `simulate=true|false`: whether a capacity run simulates the ETTRs it asks for (default true).
    pub simulate: Option<bool>,
    /// `file=NAME`: the name the scenario is reported under (default [`PASTED`]).
    pub file: Option<String>,
}

/// Most simulation replicas a dashboard run may ask for (the CLI allows 100,000).
pub const MAX_REPLICAS: u32 = 10_000;
/// Most simulated days a dashboard run may ask for.
pub const MAX_DAYS: f64 = 3650.0;
/// Most nodes (servers or compute trays) a dashboard simulation may hold: 10 million, about 40
/// million GPU packages and a few hundred MB; the 10 GW scenarios have about a million.
pub const MAX_SIM_NODES: u64 = 10_000_000;
/// Most failures a dashboard simulation may expect to draw (replicas × days × failures a day):
/// about five seconds of simulation on two cores. Larger runs belong to `gigawatt simulate`.
pub const MAX_SIM_FAILURES: f64 = 2.0e7;

/// Most scheduler events a dashboard operate run may expect (its estimate): about ten seconds on
/// two cores. The 10 GW build-outs belong to `gigawatt operate`.
pub const MAX_OPERATE_EVENTS: f64 = 4.0e6;

/// Parses `seed`, `draws` and `file` from a query string (the planning endpoints).
pub fn parse_plan_query(query: Option<&str>) -> Result<PlanQuery, ApiError> {
    parse_query(query, &["seed", "draws", "file"])
}

/// Parses the parameters named in `allowed` from a query string; any other is a 400.
pub fn parse_query(query: Option<&str>, allowed: &[&str]) -> Result<PlanQuery, ApiError> {
    let mut q = PlanQuery::default();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("`{k}` is not valid percent-encoded UTF-8"))
        })?;
        let bad = |what: &str| ApiError::new(StatusCode::BAD_REQUEST, format!("`{k}={v}` is not {what}"));
        if !allowed.contains(&k) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("unknown query parameter `{k}`"))
                .help(format!("this endpoint takes {}", allowed.join(", "))));
        }
        match k {
            "seed" => q.seed = Some(v.parse().map_err(|_| bad("a seed (a whole number from 0 to 2^64 − 1)"))?),
            "draws" => {
                let d: usize = v.parse().map_err(|_| bad("a number of draws"))?;
                if !(gigawatt_core::scenario::MIN_DRAWS..=MAX_DRAWS).contains(&d) {
                    return Err(bad(&format!("between {} and {MAX_DRAWS} draws", gigawatt_core::scenario::MIN_DRAWS)));
                }
                q.draws = Some(d);
            }
            "replicas" => {
                let n: u32 = v.parse().map_err(|_| bad("a number of replicas"))?;
                if !(1..=MAX_REPLICAS).contains(&n) {
                    return Err(bad(&format!("between 1 and {MAX_REPLICAS} replicas")));
                }
                q.replicas = Some(n);
            }
            "days" => {
                let d: f64 = v.parse().map_err(|_| bad("a number of days"))?;
                if !(d.is_finite() && d > 0.0 && d <= MAX_DAYS) {
                    return Err(bad(&format!("a number of days above 0 and at most {MAX_DAYS}")));
                }
                q.days = Some(d);
            }
            "sweep" | "simulate" => {
                let flag = match v.as_str() {
                    "true" | "1" | "" => true,
                    "false" | "0" => false,
                    _ => return Err(bad("true or false")),
                };
                if k == "sweep" {
                    q.sweep = Some(flag);
                } else {
                    q.simulate = Some(flag);
                }
            }
            "file" if !v.is_empty() => q.file = Some(v.chars().take(200).collect()),
            _ => {}
        }
    }
    Ok(q)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Reads a request body as TOML text: at most [`MAX_BODY_BYTES`] (413 beyond), UTF-8 (400
/// otherwise).
pub async fn read_toml(body: Body) -> Result<String, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| {
        let too_big = std::error::Error::source(&e).is_some_and(|s| s.to_string().contains("length limit"))
            || e.to_string().contains("length limit");
        if too_big {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {} KiB", MAX_BODY_BYTES / 1024),
            )
            .help("a scenario file is a few KB; send the TOML text itself")
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}"))
        }
    })?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the request body is not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "the request body is empty")
            .help("send a scenario as TOML, e.g. the text of GET /api/scenarios/nvidia-openai-10gw"));
    }
    Ok(text)
}

/// A flag raised to stop a run early: when its client hangs up or its time limit passes. Long
/// computations (simulations) check it once a simulated day.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks the run to stop.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the run was asked to stop.
    pub fn raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The flag itself, for [`Simulation::run_until`].
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }
}

/// Raises its [`Stop`] when dropped: a request future dropped by the server because its client
/// hung up stops the run it started.
struct StopOnDrop(Stop);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.raise();
    }
}

/// The answer to a run that was stopped because its time ran out (503).
fn out_of_time(limit: Duration) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the run did not finish within the server's limit of {} s and was stopped", limit.as_secs_f64()),
    )
    .help("ask for less (fewer replicas or days), run `gigawatt simulate` for long runs, or restart the server with a larger --time-limit")
}

/// Runs a computation on a blocking thread, at most [`MAX_CONCURRENT_RUNS`] at once, within the
/// state's time limit (waiting for a slot included). The computation gets a [`Stop`] that is
/// raised when the time is up (the client then gets a 503) or the client hangs up; it frees its
/// slot as soon as it returns. A panic in it becomes a 500 answer, not a crash.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Stop) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let stop = Stop::default();
    let _on_drop = StopOnDrop(stop.clone());
    let run = async {
        let permit = state
            .runs
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down"))?;
        let stop = stop.clone();
        // The permit moves into the computation: a run frees its slot when it returns, which a
        // raised stop makes happen soon, so at most MAX_CONCURRENT_RUNS ever run at once.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if stop.raised() {
                return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the run was stopped before it started"));
            }
            f(&stop)
        })
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the computation failed unexpectedly; please report this scenario",
            )
        })?
    };
    match tokio::time::timeout(state.time_limit, run).await {
        Ok(result) => result,
        Err(_) => {
            stop.raise();
            Err(out_of_time(state.time_limit))
        }
    }
}

/// Runs a cheap computation (reading and checking a request) on a blocking thread without taking
/// a run slot, so that a request the server would refuse is refused at once, however busy it is.
async fn unslotted<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "checking the request failed unexpectedly; please report it")
    })?
}

/// A planned scenario, recorded.
struct Planned {
    plan: Plan,
    available: Vec<&'static str>,
    json: String,
    run_id: Option<i64>,
}

/// What further results a scenario asks for (see [`PlanView`]).
fn available(model: &Model) -> Vec<&'static str> {
    let mut out = Vec::new();
    if model.simulation.declared {
        out.push("simulate");
    }
    if model.workloads.declared() {
        out.push("capacity");
    }
    if model.workloads.operate.is_some() {
        out.push("operate");
    }
    out
}

/// Reads a scenario sent to the API.
fn load(state: &AppState, text: String, file: Option<String>) -> Result<Model, ApiError> {
    let file = SourceFile::new(file.unwrap_or_else(|| PASTED.to_string()), text);
    load_scenario(&file, &state.catalog).map_err(|e| ApiError::input(&e))
}

/// Reads a scenario to plan and checks the request's options (no run slot needed).
fn plan_request(state: &AppState, text: String, q: PlanQuery) -> Result<(Model, PlanOptions), ApiError> {
    let model = load(state, text, q.file)?;
    let mut opts = PlanOptions::from_model(&model);
    if let Some(seed) = q.seed {
        opts.seed = seed;
    }
    if let Some(draws) = q.draws {
        opts.draws = draws;
    }
    if opts.draws > MAX_DRAWS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the scenario asks for {} Monte Carlo draws; the dashboard allows at most {MAX_DRAWS}", opts.draws),
        )
        .help(format!("pass draws={MAX_DRAWS} or fewer, or use `gigawatt plan` for larger runs")));
    }
    Ok((model, opts))
}

/// Plans a checked request and records it.
fn plan_run(state: &AppState, (model, opts): (Model, PlanOptions)) -> Result<Planned, ApiError> {
    let result = plan(&model, opts);
    let json = gigawatt_report::json::to_json(&result);
    let run_id = state.record_result("plan", &model, result.seed, &result.figures(), &json);
    Ok(Planned { plan: result, available: available(&model), json, run_id })
}

fn with_run_id(mut r: Response, run_id: Option<i64>) -> Response {
    if let Some(id) = run_id
        && let Ok(v) = HeaderValue::from_str(&id.to_string())
    {
        r.headers_mut().insert("x-gigawatt-run-id", v);
    }
    r
}

/// A result's JSON as the response body, with the run id in its header.
fn json_body(json: String, run_id: Option<i64>) -> Response {
    let mut r = Response::new(Body::from(json));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    with_run_id(r, run_id)
}

/// Reads the request's TOML body, checks it with `check` without taking a run slot (so that a
/// request over a bound is refused at once), then computes with `run` in a slot ([`blocking`]).
async fn compute<P: Send + 'static, T: Send + 'static>(
    state: &AppState,
    req: Request,
    check: impl FnOnce(&AppState, String) -> Result<P, ApiError> + Send + 'static,
    run: impl FnOnce(&AppState, P, &Stop) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let text = read_toml(req.into_body()).await?;
    let st = state.clone();
    let checked = unslotted(move || check(&st, text)).await?;
    let st = state.clone();
    blocking(state, move |stop| run(&st, checked, stop)).await
}

async fn plan_json(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_plan_query(query.as_deref())?;
    let planned = compute(&state, req, move |st, text| plan_request(st, text, q), |st, p, _| plan_run(st, p)).await?;
    Ok(json_body(planned.json, planned.run_id))
}

/// What the dashboard shows of a plan.
#[derive(Serialize)]
struct PlanView {
    run_id: Option<i64>,
    cards: Vec<Card>,
    charts: Vec<RenderedChart>,
    /// Which further results the scenario asks for: `simulate` (it has a `[simulation]`, a
    /// `[[job]]` or a `[[failure]]`), `capacity` (it has workload sections) and `operate` (it has
    /// an `[operate]` section).
    available: Vec<&'static str>,
    plan: serde_json::Value,
}

async fn plan_view(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_plan_query(query.as_deref())?;
    let view = compute(
        &state,
        req,
        move |st, text| plan_request(st, text, q),
        |st, p, _| {
            let planned = plan_run(st, p)?;
            Ok(PlanView {
                run_id: planned.run_id,
                cards: plan_cards(&planned.plan),
                charts: plan_charts(&planned.plan).iter().map(|c| c.render()).collect(),
                available: planned.available,
                plan: serde_json::from_str(&planned.json).expect("plan JSON parses"),
            })
        },
    )
    .await?;
    let id = view.run_id;
    Ok(with_run_id(json_response(StatusCode::OK, &view), id))
}

/// A simulation the server has checked and may run.
struct SimRequest {
    eval: gigawatt_core::plan::Evaluation,
    options: SimOptions,
}

/// Checks the simulation of a scenario sent to the API, at the scenario's settings unless the
/// query overrides them, against the server's bounds: at most [`MAX_SIM_NODES`] nodes,
/// [`MAX_SIM_FAILURES`] failures drawn and [`MAX_SIM_MEMORY`] of memory, all known from the plan
/// before any per-node state exists.
fn sim_request(model: &Model, q: &PlanQuery) -> Result<SimRequest, ApiError> {
    let mut options = SimOptions { sweep: q.sweep.unwrap_or(true), ..SimOptions::from_model(model) };
    if let Some(seed) = q.seed {
        options.seed = seed;
    }
    if let Some(replicas) = q.replicas {
        options.replicas = replicas;
    }
    if let Some(days) = q.days {
        options.days = days;
    }
    let eval = gigawatt_core::plan::evaluate(model, &model.params.central());
    let nodes = gigawatt_core::fleet::nodes(&model.simulation, &eval);
    if nodes > MAX_SIM_NODES {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("this fleet has {nodes} nodes; the dashboard simulates at most {MAX_SIM_NODES}"),
        )
        .help("simulate a smaller fleet here, or run `gigawatt simulate` on the whole one"));
    }
    let estimate = gigawatt_sim::WorkEstimate::of(model, &eval, options).map_err(|e| ApiError::input(&e))?;
    check_failures(&estimate, &options)?;
    estimate.check_memory(MAX_SIM_MEMORY, "the dashboard's limit").map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, e.message.clone())
            .help("simulate a smaller fleet here, or run `gigawatt simulate` on the whole one")
    })?;
    Ok(SimRequest { eval, options })
}

/// Refuses a simulation expected to draw more than [`MAX_SIM_FAILURES`] failures.
fn check_failures(estimate: &gigawatt_sim::WorkEstimate, options: &SimOptions) -> Result<(), ApiError> {
    let expected = estimate.events / 2.0;
    if expected <= MAX_SIM_FAILURES {
        return Ok(());
    }
    let fits = ((options.replicas as f64) * MAX_SIM_FAILURES / expected).floor().max(1.0);
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "this simulation would draw about {:.1} million failures ({} replicas × {} days × {:.0} a day); the \
             dashboard runs at most {:.0} million",
            expected / 1e6,
            options.replicas,
            options.days,
            expected / options.replicas as f64 / options.days,
            MAX_SIM_FAILURES / 1e6
        ),
    )
    .help(format!("pass replicas={fits} or fewer (or fewer days), or run `gigawatt simulate` for the full run")))
}

/// Runs a checked simulation until it is done or `stop` is raised.
fn simulate_model(model: &Model, request: &SimRequest, stop: &Stop) -> Result<SimResults, ApiError> {
    let sim = Simulation::new(model, &request.eval, request.options).map_err(|e| ApiError::input(&e))?;
    sim.run_until(model, &|| {}, stop.flag())
        .ok_or_else(|| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the simulation was stopped"))
}

/// A simulation or capacity run computed for a request, and recorded.
struct Recorded<T> {
    result: T,
    json: String,
    run_id: Option<i64>,
}

/// What the dashboard shows of a simulation or a capacity run: its cards and charts, and the
/// full result.
#[derive(Serialize)]
struct ResultView {
    run_id: Option<i64>,
    cards: Vec<Card>,
    charts: Vec<RenderedChart>,
    result: serde_json::Value,
}

impl ResultView {
    fn of<T>(done: &Recorded<T>, cards: Vec<Card>, charts: Vec<gigawatt_report::chart::Chart>) -> ResultView {
        ResultView {
            run_id: done.run_id,
            cards,
            charts: charts.iter().map(|c| c.render()).collect(),
            result: serde_json::from_str(&done.json).expect("result JSON parses"),
        }
    }

    fn response(&self) -> Response {
        with_run_id(json_response(StatusCode::OK, self), self.run_id)
    }
}

/// Reads a scenario to simulate and checks it against the server's bounds (no run slot needed).
fn simulate_check(state: &AppState, text: String, q: &PlanQuery) -> Result<(Model, SimRequest), ApiError> {
    let model = load(state, text, q.file.clone())?;
    let request = sim_request(&model, q)?;
    Ok((model, request))
}

/// Simulates a checked request and records it.
fn simulate_run(
    state: &AppState,
    (model, request): (Model, SimRequest),
    stop: &Stop,
) -> Result<Recorded<SimResults>, ApiError> {
    let results = simulate_model(&model, &request, stop)?;
    let json = gigawatt_report::json::to_json(&results);
    let run_id = state.record_result("simulate", &model, results.seed, &results.figures(), &json);
    Ok(Recorded { result: results, json, run_id })
}

const SIM_PARAMS: &[&str] = &["seed", "replicas", "days", "sweep", "file"];

async fn simulate_json(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), SIM_PARAMS)?;
    let done = compute(&state, req, move |st, text| simulate_check(st, text, &q), simulate_run).await?;
    Ok(json_body(done.json, done.run_id))
}

async fn simulate_view(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), SIM_PARAMS)?;
    let view = compute(
        &state,
        req,
        move |st, text| simulate_check(st, text, &q),
        |st, checked, stop| {
            let done = simulate_run(st, checked, stop)?;
            Ok(ResultView::of(&done, sim_cards(&done.result), sim_charts(&done.result)))
        },
    )
    .await?;
    Ok(view.response())
}

/// A capacity run the server has checked: the scenario, the query, and the simulation its ETTRs
/// need (`None` when they come from the closed form).
type CapacityRequest = (Model, PlanQuery, Option<SimRequest>);

/// Reads a scenario for a capacity run. Runs whose ETTR is simulated take it from a simulation
/// at the scenario's settings (or the query's seed and replicas), within the same bounds as
/// `/api/simulate`; `simulate=false` uses the closed form.
fn capacity_check(state: &AppState, text: String, q: PlanQuery) -> Result<CapacityRequest, ApiError> {
    let model = load(state, text, q.file.clone())?;
    let wanted = gigawatt_workloads::jobs_to_simulate(&model, &state.catalog).map_err(|e| ApiError::input(&e))?;
    let sim = if q.simulate.unwrap_or(true) && !wanted.is_empty() {
        Some(sim_request(&model, &PlanQuery { sweep: Some(false), ..q.clone() })?)
    } else {
        None
    };
    Ok((model, q, sim))
}

/// Computes a checked capacity run and records it.
fn capacity_run(
    state: &AppState,
    (model, q, sim): CapacityRequest,
    stop: &Stop,
) -> Result<Recorded<Capacity>, ApiError> {
    let result = match sim {
        Some(request) => {
            let sim = simulate_model(&model, &request, stop)?;
            gigawatt_workloads::capacity_with_simulation(&model, &state.catalog, &sim)
        }
        None => gigawatt_workloads::capacity_simulated(&model, &state.catalog, false),
    }
    .map_err(|e| ApiError::input(&e))?;
    let json = gigawatt_report::json::to_json(&result);
    let run_id = state.record_result("capacity", &model, q.seed.unwrap_or(model.seed), &result.figures(), &json);
    Ok(Recorded { result, json, run_id })
}

const CAPACITY_PARAMS: &[&str] = &["seed", "replicas", "simulate", "file"];

async fn capacity_json(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), CAPACITY_PARAMS)?;
    let done = compute(&state, req, move |st, text| capacity_check(st, text, q), capacity_run).await?;
    Ok(json_body(done.json, done.run_id))
}

async fn capacity_view(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), CAPACITY_PARAMS)?;
    let view = compute(
        &state,
        req,
        move |st, text| capacity_check(st, text, q),
        |st, checked, stop| {
            let done = capacity_run(st, checked, stop)?;
            Ok(ResultView::of(&done, capacity_cards(&done.result), capacity_charts(&done.result)))
        },
    )
    .await?;
    Ok(view.response())
}

/// Prepares an operate run and checks its estimate against the server's bounds (no run slot
/// needed).
fn operate_check(
    state: &AppState,
    text: String,
    q: &PlanQuery,
) -> Result<(Model, gigawatt_operate::Prepared), ApiError> {
    let model = load(state, text, q.file.clone())?;
    let req = gigawatt_operate::OperateRequest { seed: q.seed, ..Default::default() };
    // The research jobs alone may be too many to draw: refuse those before drawing them.
    let lower =
        gigawatt_operate::estimate_before_drawing(&model, &state.catalog, &req).map_err(|e| ApiError::input(&e))?;
    check_operate_events(&lower)?;
    let prepared = gigawatt_operate::prepare(&model, &state.catalog, &req).map_err(|e| ApiError::input(&e))?;
    check_operate_events(&gigawatt_operate::OperateEstimate::of(&prepared))?;
    Ok((model, prepared))
}

/// Refuses an operate run of more than [`MAX_OPERATE_EVENTS`] scheduler events.
fn check_operate_events(estimate: &gigawatt_operate::OperateEstimate) -> Result<(), ApiError> {
    if estimate.events <= MAX_OPERATE_EVENTS {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "this build-out needs {} {:.1} M scheduler events ({} jobs on {} scheduling units); the dashboard \
             operates at most {:.1} M",
            if estimate.at_least { "at least" } else { "about" },
            estimate.events / 1e6,
            estimate.jobs,
            estimate.nodes,
            MAX_OPERATE_EVENTS / 1e6
        ),
    )
    .help("aim for fewer research jobs ([operate.research] jobs) or a shorter [operate] period here, or run `gigawatt operate` on the whole build-out"))
}

/// Operates a checked scenario and records it.
fn operate_run(
    state: &AppState,
    (model, prepared): (Model, gigawatt_operate::Prepared),
    _stop: &Stop,
) -> Result<Recorded<gigawatt_operate::Operation>, ApiError> {
    let result = gigawatt_operate::run_prepared(&model, &prepared, &|_| {}).map_err(|e| ApiError::input(&e))?;
    let json = gigawatt_report::json::to_json(&result);
    let run_id = state.record_result("operate", &model, result.seed, &result.figures(), &json);
    Ok(Recorded { result, json, run_id })
}

const OPERATE_PARAMS: &[&str] = &["seed", "file"];

async fn operate_json(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), OPERATE_PARAMS)?;
    let done = compute(&state, req, move |st, text| operate_check(st, text, &q), operate_run).await?;
    Ok(json_body(done.json, done.run_id))
}

async fn operate_view(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let q = parse_query(query.as_deref(), OPERATE_PARAMS)?;
    let view = compute(
        &state,
        req,
        move |st, text| operate_check(st, text, &q),
        |st, checked, stop| {
            let done = operate_run(st, checked, stop)?;
            Ok(ResultView::of(&done, operate_cards(&done.result), operate_charts(&done.result)))
        },
    )
    .await?;
    Ok(view.response())
}

fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, format!("`{s}` is not a run id (a whole number)")))
}

async fn runs_list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let mut limit = 20usize;
    for pair in query.as_deref().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("limit", v)) => {
                limit = v.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
                    ApiError::new(StatusCode::BAD_REQUEST, format!("`limit={v}` is not between 1 and 1000"))
                })?
            }
            _ => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("unknown query parameter `{pair}`"))
                    .help("runs take limit"));
            }
        }
    }
    let st = state.clone();
    let list = unslotted(move || Ok(st.store()?.list(limit)?)).await?;
    Ok(json_response(StatusCode::OK, &list))
}

async fn run_show(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(ApiError::path)?;
    let id = parse_id(&id)?;
    let st = state.clone();
    let run = unslotted(move || Ok(st.store()?.get(id)?)).await?;
    Ok(json_response(StatusCode::OK, &run))
}

async fn run_diff(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((a, b)) = path.map_err(ApiError::path)?;
    let (a, b) = (parse_id(&a)?, parse_id(&b)?);
    let st = state.clone();
    let diff = unslotted(move || Ok(st.store()?.diff(a, b)?)).await?;
    Ok(json_response(StatusCode::OK, &diff))
}

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address to bind (127.0.0.1 by default in the CLI).
    pub bind: IpAddr,
    /// Port (0 picks a free one).
    pub port: u16,
}

/// Serves until Ctrl-C (or SIGTERM). `on_ready` is called with the bound address once the server
/// accepts connections.
pub fn serve(config: ServeConfig, state: AppState, on_ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind((config.bind, config.port)).await?;
        on_ready(listener.local_addr()?);
        axum::serve(listener, router(state)).with_graceful_shutdown(shutdown()).await
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
