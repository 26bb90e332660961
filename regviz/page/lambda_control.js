// The λ control and the descent film, in the browser (a Streamlit custom component, v2).
//
// Dragging the λ slider (mouse, touch, arrow keys, Home/End, PageUp/PageDown), or pressing or
// dragging along the λ axis of the error chart, sets the chart parameter `lam_index` in every
// chart on the page at once, through the hidden range input that Vega binds to it: the charts
// redraw at every input event, with no server round trip. The film's play button and scrubber
// set `step_index` the same way. The server hears λ only when the hand stops: on release, or
// after a pause of PAUSE_MS, as the trigger value `moved` (an index into the λ grid).
//
// data (from Python): start (the λ index the charts start at), count, grid {min_exp,
// per_decade}, axis {zero, first, slope} (λ positions on the charts' axis), steps (the film's
// checkpoints). These change only with the model, so a rerun after a λ move re-sends the
// control as it was (and Streamlit sends a reference to it). The server's λ arrives apart, in
// the tiny companion component `regviz_lambda_value` (see `serverValue` below).

const PAUSE_MS = 350; // a hand still for this long has stopped: tell the server
const PENDING_MS = 3000; // how long a sent λ waits for the server to echo it
const FRAME_MS = 160; // the film's frame time: 41 checkpoints in about 6.5 s
const ERROR_CHART = ".st-key-lam-errors";

function lambdaValue(index, grid) {
  if (index === 0) return 0;
  // As regviz.settings.LAMBDA_GRID: 10 ** (k / per_decade) to 12 significant digits.
  const k = index - 1 + grid.min_exp * grid.per_decade;
  return Number(Math.pow(10, k / grid.per_decade).toPrecision(12));
}

// As Python's f"{lam:.1e}  (ln λ = {math.log(lam):.1f})": the exponent has two digits.
export function lambdaLabel(index, grid) {
  const lam = lambdaValue(index, grid);
  if (lam === 0) return "0";
  const mantissa = lam.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2");
  return `${mantissa}  (ln λ = ${Math.log(lam).toFixed(1)})`;
}

function pushToCharts(name, value) {
  for (const input of document.querySelectorAll(`.vega-bindings input[name="${name}"]`)) {
    if (input.value !== String(value)) {
      // A chart's input may not hold the value (a chart of fewer film steps clamps it to its
      // own maximum): then it did not change, and telling the chart so again and again (the
      // page's mutation observer calls this on every change) would never end.
      const before = input.value;
      input.value = String(value);
      if (input.value !== before) input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
}

function indexAtPosition(position, axis, count) {
  if (position < (axis.zero + axis.first) / 2) return 0;
  const k = Math.round((position - axis.first) / axis.slope) + 1;
  return Math.min(Math.max(k, 1), count - 1);
}

// The error chart's λ axis on screen: its plot area, whose background Vega draws as the root
// group's first path, spans the x scale's range exactly (the λ domain, not niced).
function lambdaAxisBox(chart) {
  const frame = chart?.querySelector("svg.marks .role-frame.root path.background");
  return frame ? frame.getBoundingClientRect() : null;
}

function setup(root, state) {
  const lam = root.querySelector("#lam");
  const readout = root.querySelector("#lam-value");
  const play = root.querySelector("#play");
  const step = root.querySelector("#step");
  const stepReadout = root.querySelector("#step-value");

  state.showLambda = () => {
    const index = Number(lam.value);
    const text = lambdaLabel(index, state.data.grid);
    readout.textContent = text;
    lam.setAttribute("aria-valuetext", `λ = ${text}`);
  };
  state.showStep = () => {
    const steps = state.data.steps;
    const at = steps[Number(step.value)] ?? 0;
    const last = steps[steps.length - 1] ?? 0;
    stepReadout.textContent = `step ${at.toLocaleString("en-US")} of ${last.toLocaleString("en-US")}`;
    step.setAttribute("aria-valuetext", stepReadout.textContent);
  };
  state.send = () => {
    clearTimeout(state.timer);
    state.timer = null;
    const index = Number(lam.value);
    if (index === state.sent) return;
    state.sent = index;
    state.pending = index;
    state.pendingSince = Date.now();
    state.setTriggerValue("moved", index);
  };
  state.moveTo = (index, now) => {
    lam.value = String(index);
    state.showLambda();
    pushToCharts("lam_index", index);
    clearTimeout(state.timer);
    state.timer = now ? null : setTimeout(state.send, PAUSE_MS);
    if (now) state.send();
  };

  lam.addEventListener("input", () => state.moveTo(Number(lam.value), false));
  lam.addEventListener("pointerdown", () => { state.dragging = true; });
  const release = () => {
    if (state.dragging) {
      state.dragging = false;
      state.send();
    }
  };
  lam.addEventListener("pointerup", release);
  lam.addEventListener("pointercancel", release);
  lam.addEventListener("change", () => { if (!state.dragging) state.timer ??= setTimeout(state.send, PAUSE_MS); });

  const stopFilm = () => {
    clearInterval(state.film);
    state.film = null;
    play.textContent = "▶ Play descent";
    play.setAttribute("aria-pressed", "false");
  };
  const showFrame = (index) => {
    step.value = String(index);
    state.showStep();
    pushToCharts("step_index", index);
  };
  play.addEventListener("click", () => {
    if (state.film) return stopFilm();
    const last = Number(step.max);
    if (Number(step.value) >= last) showFrame(0);
    play.textContent = "❚❚ Pause";
    play.setAttribute("aria-pressed", "true");
    state.film = setInterval(() => {
      const next = Number(step.value) + 1;
      showFrame(Math.min(next, last));
      if (next >= last) stopFilm();
    }, FRAME_MS);
  });
  step.addEventListener("input", () => {
    stopFilm();
    showFrame(Number(step.value));
  });
  state.stopFilm = stopFilm;
}

// Press or drag along the error chart: λ follows the pointer's position on the λ axis. The
// listeners sit on the document, so a chart drawn after the control (or redrawn) is covered.
function watchErrorChart(state, lam) {
  let chart = null;
  const pick = (event) => {
    const box = lambdaAxisBox(chart);
    if (!box || box.width <= 0) return;
    const { zero, first, slope } = state.data.axis;
    const last = first + slope * (state.data.count - 2);
    const fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    const index = indexAtPosition(zero + fraction * (last - zero), state.data.axis, state.data.count);
    if (index !== Number(lam.value)) state.moveTo(index, false);
  };
  const down = (event) => {
    chart = event.target.closest?.(ERROR_CHART);
    if (!chart || !event.target.closest("svg")) return;
    state.pointing = true;
    state.dragging = true;
    pick(event);
  };
  const move = (event) => { if (state.pointing) pick(event); };
  const up = () => {
    if (!state.pointing) return;
    state.pointing = false;
    state.dragging = false;
    state.send();
  };
  const handlers = [
    ["pointerdown", down],
    ["pointermove", move],
    ["pointerup", up],
    ["pointercancel", up],
  ];
  handlers.forEach(([type, handler]) => document.addEventListener(type, handler));
  return () => handlers.forEach(([type, handler]) => document.removeEventListener(type, handler));
}

// The server's λ: a preset, a button, a link, or the echo of a λ the control sent. Ignored
// while the hand is on the control or while the λ just sent has not come back (an older
// rerun's value would pull the control back).
function serverValue(state, value) {
  state.server = value;
  const lam = state.lam;
  if (!lam) return;
  if (state.pending !== null && (value === state.pending || Date.now() - state.pendingSince > PENDING_MS)) {
    state.pending = null;
  }
  if (!state.dragging && state.pending === null && Number(lam.value) !== value) {
    lam.value = String(value);
    state.sent = value;
    state.showLambda();
    pushToCharts("lam_index", value);
  }
}

// One control per page: the companion component finds it here.
const shared = (window.__regvizLambda ??= { state: null, server: null });
export function receiveServerValue(value) {
  shared.server = value;
  if (shared.state) serverValue(shared.state, value);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement;
  const state = (root.__regviz ??= { sent: null, pending: null, dragging: false });
  state.data = data;
  state.setTriggerValue = setTriggerValue;
  const lam = root.querySelector("#lam");
  const step = root.querySelector("#step");
  if (!state.ready) {
    state.lam = lam;
    lam.max = String(data.count - 1);
    const start = shared.server ?? data.start;
    lam.value = String(start);
    state.sent = start;
    setup(root, state);
    state.ready = true;
  }
  shared.state = state;
  shared.receive = receiveServerValue;
  // The film: as many frames as the run has checkpoints; a new run starts at its end.
  const lastStep = String(Math.max(data.steps.length - 1, 0));
  if (step.max !== lastStep) {
    state.stopFilm();
    step.max = lastStep;
    step.value = lastStep;
    pushToCharts("step_index", lastStep);
  }
  state.showStep();
  if (shared.server !== null) serverValue(state, shared.server);
  state.showLambda();
  pushToCharts("lam_index", lam.value);

  // Charts drawn later (a tab opened, a new model) start where the controls are.
  state.observer?.disconnect();
  state.observer = new MutationObserver(() => {
    pushToCharts("lam_index", lam.value);
    pushToCharts("step_index", step.value);
  });
  state.observer.observe(document.body, { childList: true, subtree: true });
  state.unwatch?.();
  state.unwatch = watchErrorChart(state, lam);
  return () => {
    state.observer?.disconnect();
    state.unwatch?.();
    state.observer = null;
    state.unwatch = null;
    if (shared.state === state) shared.state = null;
  };
}
