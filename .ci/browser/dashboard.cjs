// Drives the gigawatt dashboard in headless Chromium: load it, run the seed scenario (plan,
// simulation and capacity), check what the page's scripts rendered, then check that a TOML error
// is shown with its line and column.
// Usage: node dashboard.cjs URL   (NODE_PATH must reach playwright-core; see .ci/browser-test)
"use strict";
const { chromium } = require("playwright-core");
const path = require("path");

const url = process.argv[2];
const shots = process.env.SCREENSHOT_DIR || "";
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) { passed += 1; console.log(`ok   ${name}`); }
  else { failed += 1; console.log(`FAIL ${name}: ${detail}`); }
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // The 400 of the deliberate TOML error below is logged by Chromium as a failed resource; only
    // script errors count.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
    });
    const outside = [];
    page.on("request", (r) => { if (!r.url().startsWith(url) && !r.url().startsWith("data:")) outside.push(r.url()); });

    await page.goto(url);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 20000 });
    const selected = await page.$eval("#scenario", (s) => s.value);
    check("the seed scenario is selected", selected === "nvidia-openai-10gw", selected);
    const toml = await page.$eval("#toml", (t) => t.value);
    check("its TOML is in the editor", toml.includes("NVIDIA–OpenAI 10 GW letter of intent"), toml.slice(0, 80));

    await page.click("#run");
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60000 });
    const dom = await page.evaluate(() => ({
      state: document.body.dataset.state,
      title: document.querySelector("#scenario-title") && document.querySelector("#scenario-title").textContent,
      cards: [...document.querySelectorAll("#headlines .card")].map((c) => ({
        key: c.dataset.key, value: c.querySelector(".value").textContent,
        range: c.querySelector(".range") ? c.querySelector(".range").textContent : "",
      })),
      svgs: document.querySelectorAll("#charts figure.chart > svg").length,
      svgTitles: [...document.querySelectorAll("#charts svg > title")].map((t) => t.textContent),
      simCards: [...document.querySelectorAll("#simulation-cards .card")].map((c) => ({
        key: c.dataset.key, value: c.querySelector(".value").textContent,
        range: c.querySelector(".range") ? c.querySelector(".range").textContent : "",
      })),
      simCharts: [...document.querySelectorAll("#simulation-charts figure.chart")].map((f) => f.dataset.chart),
      capCards: [...document.querySelectorAll("#capacity-cards .card")].map((c) => ({
        key: c.dataset.key, value: c.querySelector(".value").textContent,
      })),
      capCharts: [...document.querySelectorAll("#capacity-charts figure.chart")].map((f) => f.dataset.chart),
      svgsInSections: document.querySelectorAll("#simulation figure.chart > svg, #capacity figure.chart > svg").length,
      status: document.querySelector("#status").textContent,
      runs: document.querySelectorAll("#runs tbody tr").length,
    }));
    check("the plan ran", dom.state === "ready", JSON.stringify(dom).slice(0, 300));
    check("the scenario's name is shown", (dom.title || "").includes("NVIDIA–OpenAI 10 GW"), dom.title);
    const card = (key) => dom.cards.find((c) => c.key === key) || { value: "", range: "" };
    check("headline GPUs rendered", /^\d+(\.\d+)? [KM]$/.test(card("gpus").value), JSON.stringify(card("gpus")));
    check("headline GPUs has its P10 – P90 range", /^P10 – P90: .+ – .+$/.test(card("gpus").range), card("gpus").range);
    check("headline capex per GW rendered", /^\$\d+(\.\d+)? B$/.test(card("capex_per_gw").value), JSON.stringify(card("capex_per_gw")));
    check("at least one <svg> chart present", dom.svgs >= 1, `${dom.svgs} charts`);
    check("the build-out chart is among them", dom.svgTitles.some((t) => t.startsWith("Build-out:")), dom.svgTitles.join(" | "));
    const simCard = (key) => dom.simCards.find((c) => c.key === key) || { value: "", range: "" };
    check("simulation: failures per day rendered", /^\d[\d,.]*$/.test(simCard("failures_per_day").value), JSON.stringify(dom.simCards).slice(0, 300));
    const ettr = dom.simCards.find((c) => c.key.startsWith("ettr:")) || { value: "", range: "" };
    check("simulation: a job's ETTR with its 95% CI", /^\d+\.\d%$/.test(ettr.value) && /^95% CI of the mean: /.test(ettr.range), JSON.stringify(ettr));
    check("simulation: failures-per-day, GPUs-down and ETTR-interval charts",
      ["failures-per-day", "gpus-down", "ettr-interval"].every((id) => dom.simCharts.includes(id)), dom.simCharts.join(" "));
    check("capacity: a training run's finish rendered", dom.capCards.some((c) => c.key.startsWith("training:") && /^\d{4}-\d{2}-\d{2}$/.test(c.value)), JSON.stringify(dom.capCards).slice(0, 300));
    check("capacity: capacity-against-demand and demand-by-tier charts",
      ["capacity-demand", "demand-by-tier", "fleet-split"].every((id) => dom.capCharts.includes(id)), dom.capCharts.join(" "));
    check("simulation and capacity charts are inline <svg>", dom.svgsInSections === dom.simCharts.length + dom.capCharts.length, String(dom.svgsInSections));
    check("the plan, simulation and capacity runs were recorded", /^runs \d+, \d+, \d+ recorded/.test(dom.status), dom.status);
    await page.waitForFunction(() => document.querySelectorAll("#runs tbody tr").length >= 3, null, { timeout: 10000 })
      .then(() => check("the run is listed under recent runs", true, ""))
      .catch(() => check("the run is listed under recent runs", false, "no rows"));
    if (shots) {
      await page.screenshot({ path: path.join(shots, "dashboard.png") });
      await page.evaluate(() => document.querySelector("#simulation").scrollIntoView());
      await page.screenshot({ path: path.join(shots, "dashboard-simulation.png") });
      await page.evaluate(() => window.scrollTo(0, 0));
      console.log(`saved ${path.join(shots, "dashboard.png")}, ${path.join(shots, "dashboard-simulation.png")}`);
    }

    // The other bundled scenarios: GB300-only has neither a simulation nor workloads, Llama 3 has
    // both (1,000 replicas of its 54 days).
    for (const [id, expectSim] of [["nvidia-openai-10gw-gb300", false], ["llama3-405b-16k", true]]) {
      await page.selectOption("#scenario", id);
      await page.click("#run");
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60000 });
      const r = await page.evaluate(() => ({
        state: document.body.dataset.state,
        gpus: (document.querySelector('#headlines .card[data-key="gpus"] .value') || {}).textContent,
        simCards: document.querySelectorAll("#simulation-cards .card").length,
        simNote: (document.querySelector("#simulation .note") || {}).textContent || "",
        capCharts: document.querySelectorAll("#capacity-charts figure.chart > svg").length,
      }));
      check(`${id}: ran`, r.state === "ready" && /^\d/.test(r.gpus || ""), JSON.stringify(r));
      if (expectSim) {
        check(`${id}: simulation and capacity shown`, r.simCards >= 3 && r.capCharts >= 1, JSON.stringify(r));
      } else {
        check(`${id}: says it has no simulation`, r.simCards === 0 && r.simNote.includes("has no [simulation]"), JSON.stringify(r));
      }
    }

    // A scenario error is shown next to the text, with line and column.
    await page.fill("#toml", 'name = "broken"\n[[phase]]\nonline = "2026-Q4"\nplatform = "gb300"\npower_gw = 1\n');
    await page.click("#run");
    await page.waitForSelector('body[data-state="error"]', { timeout: 30000 });
    const err = await page.evaluate(() => ({
      shown: document.querySelector("#error").classList.contains("shown"),
      where: document.querySelector("#error .where").textContent,
      message: document.querySelector("#error .message").textContent,
      help: document.querySelector("#error .help").textContent,
    }));
    check("the TOML error is shown with line and column", err.shown && err.where.startsWith("line 4, column 12"), JSON.stringify(err));
    check("the error says what would be right", err.help.includes("gb300-nvl72"), err.help);
    check("no script errors on the page", pageErrors.length === 0, pageErrors.join(" | "));
    check("no request left the server", outside.length === 0, outside.join(" "));
  } finally {
    await browser.close();
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  console.log(`browser: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
