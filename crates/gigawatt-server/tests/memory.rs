//! The dashboard's memory bound, in a test binary of its own: it needs a thread pool as wide as a
//! large machine's, where each replica running at once holds its own copy of the fleet's state.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gigawatt_core::Catalog;
use gigawatt_server::{AppState, MAX_SIM_MEMORY, router};
use gigawatt_store::History;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[test]
fn a_simulation_over_the_memory_bound_is_refused_with_what_it_needs() {
    // 64 threads run 64 replicas at once: 30 GW of GB300 (about 3 million compute trays, under
    // the node bound) then needs 65 copies of its state, well over the bound.
    rayon::ThreadPoolBuilder::new().num_threads(64).build_global().unwrap();
    let body = "name = \"wide\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"gb300-nvl72\"\npower_gw = 30\n\
                [simulation]\ndays = 1\nreplicas = 64\n";
    let state = AppState::new(Catalog::bundled().unwrap(), History::Off);
    let request =
        Request::post("/api/simulate?sweep=false").header("host", "localhost").body(Body::from(body)).unwrap();
    let started = std::time::Instant::now();
    let (status, text) = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let response = router(state).oneshot(request).await.unwrap();
        let status = response.status();
        (status, String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
    });
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let error: serde_json::Value = serde_json::from_str(&text).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("GB of memory, more than the dashboard's limit"), "{message}");
    assert!(message.contains(&format!("({:.1} GB)", MAX_SIM_MEMORY as f64 / 1e9)), "{message}");
    assert!(message.contains("65 copies"), "{message}");
    assert!(error["error"]["help"].as_str().unwrap().contains("gigawatt simulate"), "{text}");
    assert!(started.elapsed().as_secs() < 5, "refused at once, before the fleet is built");
}
