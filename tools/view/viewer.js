/* viewer.js — the raftsim run viewer: reads the JSON Lines trace embedded in
 * the page (schema: sim/world/trace.h, format 2) and draws the timeline, the
 * step-through, the message diagram, the plots and the verdict.
 * Plain JavaScript, no libraries, no network. Written for traces up to
 * about 10^5..10^6 events: everything per event is precomputed in one pass,
 * and a step's state is rebuilt from the nearest checkpoint. */
"use strict";

/* ---- errors are recorded for the self-test (and shown on the page) ---- */
const pageErrors = [];
window.addEventListener("error", (e) => pageErrors.push(String(e.message || e)));
(function () {
  const orig = console.error;
  console.error = function (...a) { pageErrors.push(a.map(String).join(" ")); orig.apply(console, a); };
})();

/* ---- the trace ---- */
const T = { header: null, end: null, ev: [], N: 0, clients: [] };
(function parse() {
  const holder = document.getElementById("trace-data");
  const text = holder.textContent;
  holder.textContent = ""; // parsed once: the DOM need not keep megabytes of text
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf("\n", start);
    if (nl < 0) nl = text.length;
    if (nl > start + 1) {
      const line = text.slice(start, nl).trim();
      if (line) {
        const e = JSON.parse(line);
        if (e.ev === "header") T.header = e;
        else if (e.ev === "end") T.end = e;
        else if (e.ev === "window") T.window = fmtTime(e.from) + " – " + (e.to > 1e18 ? "end" : fmtTime(e.to));
        else T.ev.push(e);
      }
    }
    start = nl + 1;
  }
  let maxNode = 0, maxClient = 0;
  for (const e of T.ev) {
    if (e.node !== undefined && e.ev !== "invoke" && e.ev !== "retry" && e.ev !== "complete")
      maxNode = Math.max(maxNode, e.node);
    if (e.client !== undefined) maxClient = Math.max(maxClient, e.client);
  }
  T.N = T.header ? T.header.nodes : maxNode;
  const nc = T.header ? T.header.clients.length : Math.max(0, maxClient - T.N);
  for (let i = 1; i <= nc; i++) T.clients.push(T.N + i);
  T.t0 = T.ev.length ? T.ev[0].t : 0;
  T.t1 = Math.max(T.end ? T.end.t : 0, T.ev.length ? T.ev[T.ev.length - 1].t : 0, T.t0 + 1);
})();

const NOISE = new Set(["timer", "fsync", "persist"]);
function epName(ep) { return ep <= T.N ? "n" + ep : "c" + (ep - T.N); }
function fmtTime(ns) {
  if (ns < 1e6) return (ns / 1e3).toFixed(3) + " µs";
  if (ns < 1e9) return (ns / 1e6).toFixed(3) + " ms";
  return (ns / 1e9).toFixed(6).replace(/0{1,3}$/, "") + " s";
}
function fmtDur(ns) { return ns < 1e9 ? (ns / 1e6).toFixed(3) + " ms" : (ns / 1e9).toFixed(3) + " s"; }
function termColor(term, role) {
  if (!term) return role === "leader" ? "#888" : "#ddd";
  const hue = (term * 67) % 360;
  if (role === "leader") return `hsl(${hue},70%,40%)`;
  if (role === "candidate" || role === "precandidate") return `hsl(${hue},70%,62%)`;
  return `hsl(${hue},55%,82%)`;
}
function el(tag, attrs, text) {
  const x = document.createElement(tag);
  for (const k in attrs || {}) x.setAttribute(k, attrs[k]);
  if (text !== undefined) x.textContent = text;
  return x;
}
const SVGNS = "http://www.w3.org/2000/svg";
function sv(tag, attrs, text) {
  const x = document.createElementNS(SVGNS, tag);
  for (const k in attrs || {}) x.setAttribute(k, attrs[k]);
  if (text !== undefined) x.textContent = text;
  return x;
}

/* The Raft rule a violation broke, with its source, as raftsim wrote it in
 * the trace's end line (one table, sim/world/names.c, for the report and
 * the page alike); "" if the run broke none. */
function violationRule(kind) {
  const v = T.end && T.end.violation;
  return v && v.kind === kind && v.rule ? v.rule : "";
}

/* ---- one pass: messages, heartbeats, timeline segments, client ops ---- */
const M = new Map();               // id -> message
const msgList = [];                // in send order
let maxSpan = 0;
const segs = [];                   // per node: [t0, t1, kind, role, term]
const faults = [];                 // {t0, t1, label}
const marks = [];                  // instant fault marks {t, label, ep}
const ops = [];                    // {c, t0, t1, kind, retries}
const leaderAt = [];               // [t, node, term]
let violationStep = -1;
(function precompute() {
  const cur = [];
  for (let n = 1; n <= T.N; n++) { cur[n] = { t: T.t0, kind: "up", role: "follower", term: 0 }; segs[n] = []; }
  const close = (n, t) => { const c = cur[n]; if (t > c.t) segs[n].push([c.t, t, c.kind, c.role, c.term]); c.t = t; };
  const open = {}; // fault key -> band
  const startBand = (key, t, label) => { if (open[key]) { open[key].t1 = t; } open[key] = { t0: t, t1: T.t1, label }; faults.push(open[key]); };
  const endBand = (key, t) => { if (open[key]) { open[key].t1 = t; delete open[key]; } };
  const pending = new Map();       // "c/session/seq" -> op
  const minAE = {};
  let lastDeliverAE = null;        // heartbeat detection: an AE whose delivery appends nothing
  for (let i = 0; i < T.ev.length; i++) {
    const e = T.ev[i];
    switch (e.ev) {
      case "send": case "duplicate": {
        const m = { id: e.id, from: e.from, to: e.to, type: e.type, bytes: e.bytes, ts: e.t, si: i, te: T.t1, ei: T.ev.length, fate: "in flight", hb: false };
        if (lastDeliverAE && e.ev === "send" && e.type === "AppendEntriesResp" && e.from === lastDeliverAE.to && e.to === lastDeliverAE.from && lastDeliverAE.hb)
          m.hb = true;
        if (e.id !== undefined) M.set(e.id, m);
        msgList.push(m);
        break;
      }
      case "deliver": case "drop": {
        const m = M.get(e.id);
        if (m) {
          m.te = e.t; m.ei = i; m.fate = e.ev === "drop" ? "lost (" + e.reason + ")" : "delivered";
          maxSpan = Math.max(maxSpan, i - m.si);
          if (e.ev === "deliver" && m.type === "AppendEntries") { lastDeliverAE = m; m.hb = true; }
        }
        break;
      }
      case "append":
        if (lastDeliverAE && lastDeliverAE.to === e.node) lastDeliverAE.hb = false;
        break;
      case "crash":
        for (const id of e.held_lost || []) { const m = M.get(id); if (m) { m.te = e.t; m.ei = i; m.fate = "lost (crash)"; } }
        close(e.node, e.t); cur[e.node].kind = "down"; cur[e.node].role = "down";
        marks.push({ t: e.t, label: "crash " + epName(e.node), ep: e.node });
        break;
      case "restart": close(e.node, e.t); cur[e.node].kind = "up"; cur[e.node].role = "follower"; break;
      case "pause": close(e.node, e.t); cur[e.node].kind = "paused"; break;
      case "resume": close(e.node, e.t); cur[e.node].kind = "up"; break;
      case "role":
        close(e.node, e.t); cur[e.node].role = e.role; cur[e.node].term = e.term;
        if (e.role === "leader") leaderAt.push([e.t, e.node, e.term]);
        break;
      case "term": close(e.node, e.t); cur[e.node].term = e.term; break;
      case "action": {
        const a = e.action;
        if (a === "partition") {
          const groups = (e.groups || []).map((g) => "{" + g.map(epName).join(" ") + "}").join(" | ");
          startBand("net", e.t, "partition " + groups);
        } else if (a === "isolate") startBand("iso" + e.target, e.t, "isolate " + epName(e.target));
        else if (a === "cut") startBand("cut" + e.target + "-" + e.target2, e.t, "cut " + epName(e.target) + "→" + epName(e.target2));
        else if (a === "uncut") endBand("cut" + e.target + "-" + e.target2, e.t);
        else if (a === "heal") for (const k of Object.keys(open)) endBand(k, e.t);
        else if (a === "set") marks.push({ t: e.t, label: "set " + (e.param || "") + " " + e.value, ep: 0 });
        else if (a !== "crash" && a !== "restart" && a !== "pause" && a !== "resume")
          marks.push({ t: e.t, label: a + (e.target ? " " + epName(e.target) : ""), ep: 0 });
        break;
      }
      case "heal": for (const k of Object.keys(open)) endBand(k, e.t); marks.push({ t: e.t, label: "heal (liveness phase)", ep: 0 }); break;
      case "invoke": { const op = { c: e.client, t0: e.t, t1: -1, kind: e.op, retries: 0 }; pending.set(e.client + "/" + e.session + "/" + e.seq, op); ops.push(op); break; }
      case "retry": { const op = pending.get(e.client + "/" + e.session + "/" + e.seq); if (op) op.retries++; break; }
      case "complete": { const k = e.client + "/" + e.session + "/" + e.seq; const op = pending.get(k); if (op) { op.t1 = e.t; pending.delete(k); } break; }
      case "violation": if (violationStep < 0) violationStep = i; break;
    }
    if (e.ev === "send" && e.type === "AppendEntries") minAE[e.from] = Math.min(minAE[e.from] || 1e18, e.bytes);
  }
  for (let n = 1; n <= T.N; n++) close(n, T.t1);
  for (const m of msgList) if (m.fate === "in flight" && m.type === "AppendEntries" && m.bytes <= (minAE[m.from] || 0)) m.hb = true;
  if (msgList.length) maxSpan = Math.max(maxSpan, ...msgList.filter((m) => m.fate === "in flight").slice(0, 1000).map((m) => T.ev.length - m.si));
})();

/* ---- per-step state, rebuilt from checkpoints ---- */
function freshState() {
  const nodes = [null];
  for (let n = 1; n <= T.N; n++) nodes.push({ log: [], commit: 0, applied: 0, role: "follower", term: 0, up: true, paused: false, snap: 0 });
  return { step: -1, nodes };
}
function applyEvent(S, e) {
  const n = S.nodes[e.node];
  switch (e.ev) {
    case "role": n.role = e.role; n.term = e.term; break;
    case "term": n.term = e.term; break;
    case "append": {
      let i = e.first;
      if (e.terms) for (const [term, count] of e.terms) for (let k = 0; k < count; k++) n.log[i++ - 1] = term;
      while (i <= e.last) n.log[i++ - 1] = e.terms ? 0 : n.term; // 0: term unknown
      break;
    }
    case "truncate": if (n.log.length >= e.from) n.log.length = e.from - 1; break;
    case "commit": n.commit = e.commit; break;
    case "apply": n.applied = e.index; break;
    case "snapshot-taken": n.snap = e.index; break;
    case "snapshot-installed":
      n.snap = e.index;
      for (let i = n.log.length; i < e.index; i++) n.log[i] = e.term;
      n.commit = Math.max(n.commit, e.index); n.applied = Math.max(n.applied, e.index);
      break;
    case "crash": n.up = false; n.paused = false; n.role = "down"; break;
    case "restart":
      n.up = true; n.role = "follower";
      if (n.log.length > e.last) n.log.length = e.last;
      n.commit = e.snap; n.applied = e.snap; n.snap = e.snap;
      break;
    case "pause": n.paused = true; break;
    case "resume": n.paused = false; break;
  }
}
function copyState(S) {
  return { step: S.step, nodes: S.nodes.map((n) => n && Object.assign({}, n, { log: Int32Array.from(n.log) })) };
}
function thawState(C) {
  return { step: C.step, nodes: C.nodes.map((n) => n && Object.assign({}, n, { log: Array.from(n.log) })) };
}
const CK_EVERY = Math.max(1000, Math.ceil(T.ev.length / 64));
const checkpoints = [];
(function buildCheckpoints() {
  const S = freshState();
  for (let i = 0; i < T.ev.length; i++) {
    if (i % CK_EVERY === 0) checkpoints.push(copyState(S));
    applyEvent(S, T.ev[i]);
    S.step = i;
  }
})();
/* State after event k (k = -1: before the first). */
function stateAt(k) {
  if (k < 0 || !checkpoints.length) return freshState();
  const S = thawState(checkpoints[Math.floor(k / CK_EVERY)]);
  for (let i = S.step + 1; i <= k; i++) applyEvent(S, T.ev[i]);
  S.step = k;
  return S;
}
/* Messages in flight just after event k. */
function inFlight(k) {
  const out = [];
  let lo = 0, hi = msgList.length; // first message with si > k
  while (lo < hi) { const mid = (lo + hi) >> 1; if (msgList[mid].si <= k) lo = mid + 1; else hi = mid; }
  for (let j = lo - 1; j >= 0 && k - msgList[j].si <= maxSpan; j--) if (msgList[j].ei > k) out.push(msgList[j]);
  return out;
}

/* ---- event text ---- */
function eventText(e) {
  const n = e.node !== undefined ? epName(e.node) : "";
  const m = e.id !== undefined ? M.get(e.id) : null;
  switch (e.ev) {
    case "send": return `${epName(e.from)} sends ${e.type} to ${epName(e.to)} (${e.bytes} B, message #${e.id})`;
    case "duplicate": return `the network duplicates ${e.type} ${epName(e.from)} → ${epName(e.to)} (copy #${e.id} of #${e.copy_of})`;
    case "deliver": return `${epName(e.to)} receives ${e.type} from ${epName(e.from)} (message #${e.id}` + (m ? `, ${fmtDur(e.t - m.ts)} in flight)` : ")");
    case "drop": return `${e.type} ${epName(e.from)} → ${epName(e.to)} is lost: ${({ loss: "random loss", cut: "the link is cut", down: "the receiver is down", stale: "the receiver restarted since it was sent" })[e.reason] || e.reason} (message #${e.id})`;
    case "timer": return `${n} sets its timer (local deadline ${fmtTime(e.deadline)})`;
    case "role": return `${n} becomes ${e.role} in term ${e.term}`;
    case "term": return `${n}'s current term is now ${e.term}`;
    case "vote": return `${n} votes for ${epName(e.candidate)} in term ${e.term}`;
    case "append": return `${n} appends entr${e.first === e.last ? "y " + e.first : "ies " + e.first + "–" + e.last}` + (e.terms ? ` (term${e.terms.length > 1 ? "s" : ""} ${e.terms.map((r) => r[0]).join(", ")})` : "");
    case "truncate": return `${n} deletes its log from index ${e.from} (it held up to ${e.old_last}): a conflicting suffix`;
    case "persist": return `${n}'s writes up to token ${e.token} are durable`;
    case "fsync": return `${n} starts an fsync of ${e.writes} writes (takes ${fmtDur(e.latency)})`;
    case "commit": return `${n} advances its commit index from ${e.old} to ${e.commit}`;
    case "apply": return `${n} applies entry ${e.index} to its state machine`;
    case "snapshot-taken": return `${n} takes a snapshot up to index ${e.index} (term ${e.term})`;
    case "snapshot-installed": return `${n} installs a snapshot up to index ${e.index} (term ${e.term})`;
    case "raft": return `${n}: ${e.what} (${e.a}, ${e.b})`;
    case "crash": return `${n} CRASHES` + (e.lost ? ` and loses ${e.lost} unsynced writes` : "") + (e.torn ? " (a torn write)" : "");
    case "restart": return `${n} restarts with a durable log up to index ${e.last}` + (e.snap ? ` and a snapshot to ${e.snap}` : "");
    case "pause": return `${n} is paused`;
    case "resume": return `${n} resumes`;
    case "action": {
      if (e.action === "partition") return "fault: partition " + (e.groups || []).map((g) => "{" + g.map(epName).join(" ") + "}").join(" | ");
      if (e.action === "cut" || e.action === "uncut") return `fault: ${e.action} ${epName(e.target)} → ${epName(e.target2)}`;
      if (e.action === "set") return `fault: set ${e.param || ""} ${e.value}` + (e.target ? " on " + epName(e.target) + (e.target2 ? "–" + epName(e.target2) : "") : "");
      return `action: ${e.action}` + (e.target ? " " + epName(e.target) : e.action === "heal" ? "" : " (all)") + (e.target2 ? " → " + epName(e.target2) : "");
    }
    case "invoke": return `${e.cname || epName(e.client)} invokes ${e.op} (session ${e.session}, seq ${e.seq})`;
    case "retry": return `${e.cname || epName(e.client)} retries seq ${e.seq} at ${epName(e.to)}`;
    case "complete": return `${e.cname || epName(e.client)}'s ${e.op} seq ${e.seq} completes` + (e.index ? ` (index ${e.index})` : "");
    case "heal": return "the liveness phase begins: every fault is healed";
    case "violation": return `VIOLATION of ${e.kind} on ${n}` + (e.index ? ` at index ${e.index}` : "") + "\n" + violationRule(e.kind);
  }
  return JSON.stringify(e);
}

/* ---- header, verdict, violation ---- */
function drawHeader() {
  const h = T.header;
  const info = document.getElementById("runinfo");
  info.textContent = (h ? `${h.file} · seed ${h.seed} · ${T.N} nodes, ${h.clients.length} clients · ${h.protocol} · raftsim ${h.raftsim} · ` : "") +
    `${T.ev.length} events over ${fmtTime(T.t1 - T.t0)}` + (T.window ? ` (window ${T.window})` : "");
  if (h) document.getElementById("config").textContent = h.config;
}
function drawVerdict() {
  const box = document.getElementById("verdict");
  box.textContent = "";
  if (!T.end) { box.append(el("p", { class: "verdict-cut-short" }, "No end line: the trace stops early (a cut-short or windowed run); no verdict.")); return; }
  const v = T.end.verdict;
  box.append(el("p", { class: "verdict-" + v }, { pass: "PASS", fail: "FAIL", "cut-short": "CUT SHORT (replay --until): decides nothing" }[v] || v));
  if (T.end.expects.length) {
    const tab = el("table");
    tab.append(el("tr")); tab.lastChild.append(el("th", {}, "line"), el("th", {}, "expectation"), el("th", {}, "result"), el("th", {}, "what it saw"));
    for (const x of T.end.expects) {
      const tr = el("tr");
      tr.append(el("td", {}, String(x.line)), el("td", {}, x.text), el("td", { class: x.status }, x.status), el("td", {}, x.why));
      tab.append(tr);
    }
    box.append(tab);
  }
  const vio = T.end.violation;
  if (vio) {
    const d = el("div", { id: "violation" });
    d.append(el("p", {}, `Violation: ${vio.kind} at ${fmtTime(vio.t)} — ${vio.detail}`));
    d.append(el("p", {}, "Broken rule: " + (violationRule(vio.kind) || vio.kind)));
    const b = el("button", { id: "jump-violation" }, "jump to the failing event");
    b.onclick = () => go(violationStep);
    d.append(b);
    d.append(el("div", { class: "pair", id: "violation-logs" }));
    box.append(d);
  }
}
function drawViolationLogs(S) {
  const box = document.getElementById("violation-logs");
  if (!box || violationStep < 0) return;
  const vio = T.end.violation;
  let [a, b] = vio.nodes;
  if (!b || b === a) { // pick the node whose log disagrees most at the index
    b = 0;
    for (let n = 1; n <= T.N; n++) if (n !== a && S.nodes[n].log[vio.index - 1] !== S.nodes[a || 1].log[vio.index - 1]) { b = n; break; }
    if (!b) b = a === 1 ? 2 : 1;
  }
  if (!a) a = b === 1 ? 2 : 1;
  box.textContent = "";
  const lo = Math.max(1, vio.index - 12), hi = vio.index + 6;
  for (const n of [a, b]) {
    if (n < 1 || n > T.N) continue;
    const col = el("div");
    col.append(el("div", {}, `${epName(n)}'s log at the failing event (commit ${S.nodes[n].commit})`));
    col.append(logBoxes(S.nodes[n], lo, hi, vio.index, S.nodes[a === n ? b : a]));
    box.append(col);
  }
}

/* ---- step-through ---- */
let step = -1;
const LOG_W = 30;
function logBoxes(n, lo, hi, mark, other) {
  const row = el("div", { class: "log" });
  for (let i = lo; i <= hi; i++) {
    const has = i <= n.log.length;
    const term = has ? n.log[i - 1] : 0;
    const cls = ["entry"];
    if (!has) cls.push("empty");
    if (has && i <= n.commit) cls.push("committed");
    if (has && i <= n.applied) cls.push("applied");
    if (i === mark || (other && has && i <= other.log.length && other.log[i - 1] !== term && i === mark)) cls.push("conflict");
    const b = el("div", { class: cls.join(" "), "data-index": String(i), title: has ? `index ${i}, term ${term || "?"}` : `index ${i}: empty` }, has ? String(term || "?") : "");
    if (has) b.style.background = termColor(term, "");
    row.append(b);
  }
  return row;
}
function drawLogs(S) {
  const box = document.getElementById("logs");
  box.textContent = "";
  let maxLen = 0;
  for (let n = 1; n <= T.N; n++) maxLen = Math.max(maxLen, S.nodes[n].log.length);
  const hi = Math.max(LOG_W, maxLen), lo = hi - LOG_W + 1;
  const idx = el("div", { class: "node-row idx-row" });
  idx.append(el("div", { class: "node-name" }, "index"));
  const ir = el("div", { class: "log" });
  for (let i = lo; i <= hi; i++) ir.append(el("div", { class: "entry" }, i % 5 === 0 || i === lo ? String(i) : ""));
  idx.append(ir);
  box.append(idx);
  for (let n = 1; n <= T.N; n++) {
    const s = S.nodes[n];
    const role = !s.up ? "down" : s.paused ? s.role + " (paused)" : s.role;
    const row = el("div", { class: "node-row" + (s.up ? "" : " down"), "data-node": String(n), "data-role": s.up ? s.role : "down",
      "data-term": String(s.term), "data-last": String(s.log.length), "data-commit": String(s.commit), "data-applied": String(s.applied) });
    row.append(el("div", { class: "node-name" }, `${epName(n)} ${role} t${s.term}`));
    row.append(logBoxes(s, lo, hi, -1, null));
    box.append(row);
  }
  box.append(el("div", { class: "legend" }, `Boxes: log entries coloured by term (number = term); thick border = committed; green bar = applied. Showing indices ${lo}–${hi}.`));
}
function drawFlight(S, k) {
  const svg = document.getElementById("flight");
  svg.textContent = "";
  const R = 115, pos = [null];
  for (let n = 1; n <= T.N; n++) {
    const a = -Math.PI / 2 + 2 * Math.PI * (n - 1) / T.N;
    pos.push([R * Math.cos(a), R * Math.sin(a)]);
  }
  const cpos = (ep) => ep <= T.N ? pos[ep] : [-150 + 20 * (ep - T.N - 1), 150];
  const t = k >= 0 ? T.ev[k].t : T.t0;
  const fl = inFlight(k);
  svg.append(sv("text", { x: -155, y: -145, "font-size": 11, fill: "#555" }, `${fl.length} message${fl.length === 1 ? "" : "s"} in flight`));
  for (const m of fl.slice(0, 400)) {
    const [x0, y0] = cpos(m.from), [x1, y1] = cpos(m.to);
    const f = m.te > m.ts ? Math.min(1, Math.max(0, (t - m.ts) / (m.te - m.ts))) : 0;
    svg.append(sv("line", { x1: x0, y1: y0, x2: x1, y2: y1, stroke: "#eee" }));
    const c = sv("circle", { cx: x0 + (x1 - x0) * f, cy: y0 + (y1 - y0) * f, r: m.type.startsWith("Client") ? 4 : 6, fill: /Resp$/.test(m.type) ? "#fff" : "#36c", stroke: "#36c", class: "msg" });
    c.append(sv("title", {}, `#${m.id} ${m.type} ${epName(m.from)}→${epName(m.to)}`));
    svg.append(c);
  }
  for (let n = 1; n <= T.N; n++) {
    const s = S.nodes[n];
    const g = sv("g", { class: "server" });
    g.append(sv("circle", { cx: pos[n][0], cy: pos[n][1], r: 22, fill: s.up ? termColor(s.term, s.role) : "#333", stroke: s.paused ? "#f80" : "#555", "stroke-width": s.paused ? 4 : 1.5 }));
    g.append(sv("text", { x: pos[n][0], y: pos[n][1] - 2, "text-anchor": "middle", "font-size": 12, fill: s.up ? "#000" : "#fff" }, epName(n)));
    g.append(sv("text", { x: pos[n][0], y: pos[n][1] + 11, "text-anchor": "middle", "font-size": 9, fill: s.up ? "#000" : "#fff" }, s.up ? `${s.role[0].toUpperCase()} t${s.term}` : "down"));
    svg.append(g);
  }
  for (const c of T.clients) {
    const [x, y] = cpos(c);
    svg.append(sv("rect", { x: x - 8, y: y - 8, width: 16, height: 16, fill: "#eee", stroke: "#888" }));
    svg.append(sv("text", { x, y: y + 4, "text-anchor": "middle", "font-size": 8 }, epName(c)));
  }
}
function go(k) {
  k = Math.max(-1, Math.min(T.ev.length - 1, k));
  step = k;
  const S = stateAt(k);
  document.getElementById("slider").value = String(k + 1);
  document.getElementById("stepno").textContent = `event ${k + 1} of ${T.ev.length}` + (k >= 0 ? ` · t = ${fmtTime(T.ev[k].t)}` : "");
  document.getElementById("evtext").textContent = k >= 0 ? `[${fmtTime(T.ev[k].t)}] ` + eventText(T.ev[k]) : "(before the first event)";
  drawLogs(S);
  drawFlight(S, k);
  drawViolationLogs(violationStep >= 0 && k === violationStep ? S : stateAt(violationStep));
  drawTimelineCursor();
  drawLamport();
}
function move(dir, count) {
  const skip = document.getElementById("skipnoise").checked;
  let k = step;
  for (let c = 0; c < count; c++) {
    do { k += dir; } while (skip && k >= 0 && k < T.ev.length && NOISE.has(T.ev[k].ev));
  }
  go(k);
}

/* ---- timeline ---- */
let tlBase = null, tlLayout = null;
function drawTimeline() {
  const cv = document.getElementById("timeline");
  const W = Math.max(600, cv.parentElement.clientWidth - 4);
  const laneH = 18, left = 70;
  const nFaultRows = Math.max(1, Math.min(6, faults.length));
  const H = 24 + T.N * laneH + 8 + nFaultRows * 12 + 14 + T.clients.length * laneH + 20;
  cv.width = W; cv.height = H;
  const x = (t) => left + (t - T.t0) / (T.t1 - T.t0) * (W - left - 10);
  const g = cv.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
  g.font = "11px sans-serif"; g.fillStyle = "#333";
  const drawn = { lanes: 0 };
  // time axis
  const span = (T.t1 - T.t0) / 1e9, stepS = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60].find((s) => span / s <= 12) || 60;
  for (let s = Math.ceil(T.t0 / 1e9 / stepS) * stepS; s * 1e9 <= T.t1; s += stepS) {
    g.fillStyle = "#eee"; g.fillRect(x(s * 1e9), 12, 1, H - 12);
    g.fillStyle = "#555"; g.fillText(+s.toFixed(3) + " s", x(s * 1e9) + 2, 10);
  }
  let y = 18;
  for (let n = 1; n <= T.N; n++, y += laneH) {
    g.fillStyle = "#222"; g.fillText(epName(n), 6, y + 12);
    for (const [t0, t1, kind, role, term] of segs[n]) {
      const x0 = x(t0), w = Math.max(1, x(t1) - x0);
      if (kind === "down") { g.fillStyle = "#222"; g.fillRect(x0, y + 2, w, laneH - 4); continue; }
      g.fillStyle = termColor(term, role); g.fillRect(x0, y + 2, w, laneH - 4);
      if (role === "candidate" || role === "precandidate") { g.fillStyle = "rgba(0,0,0,.25)"; for (let xx = x0; xx < x0 + w; xx += 4) g.fillRect(xx, y + 2, 1, laneH - 4); }
      if (kind === "paused") { g.strokeStyle = "#f80"; g.lineWidth = 2; g.strokeRect(x0 + 1, y + 3, Math.max(1, w - 2), laneH - 6); g.lineWidth = 1; }
      if (role === "leader" && w > 24) { g.fillStyle = "#fff"; g.fillText("L t" + term, x0 + 3, y + 13); }
    }
    drawn.lanes++;
  }
  y += 4;
  g.fillStyle = "#222"; g.fillText("faults", 6, y + 10);
  faults.forEach((f, i) => {
    const yy = y + (i % nFaultRows) * 12;
    g.fillStyle = "rgba(200,40,40,.25)"; g.fillRect(x(f.t0), yy, Math.max(2, x(f.t1) - x(f.t0)), 11);
    g.fillStyle = "#800"; g.fillText(f.label, x(f.t0) + 2, yy + 9);
  });
  for (const m of marks) { g.fillStyle = "#c00"; g.fillRect(x(m.t), 16, 1, T.N * laneH + 4); }
  y += nFaultRows * 12 + 6;
  const lat = ops.filter((o) => o.t1 >= 0).map((o) => o.t1 - o.t0).sort((a, b) => a - b);
  for (const c of T.clients) {
    g.fillStyle = "#222"; g.fillText(epName(c), 6, y + 12);
    for (const o of ops) {
      if (o.c !== c) continue;
      const x0 = x(o.t0), x1 = o.t1 >= 0 ? x(o.t1) : x(T.t1);
      g.fillStyle = o.t1 < 0 ? "#c00" : o.retries ? "#e90" : o.kind === "read" ? "#5a5" : "#57a";
      const row = (o.t0 / 1e5) % 3;
      g.fillRect(x0, y + 3 + row * 4, Math.max(1, x1 - x0), 3);
    }
    y += laneH;
  }
  g.fillStyle = "#555";
  g.fillText(`client ops: blue append, green read, orange retried, red never completed; ${lat.length} completed`, left, y + 12);
  tlBase = g.getImageData(0, 0, W, H);
  tlLayout = { x, W, H, left };
  window.__drawn = Object.assign(window.__drawn || {}, { timelineLanes: drawn.lanes, faultBands: faults.length });
}
function drawTimelineCursor() {
  if (!tlBase) return;
  const g = document.getElementById("timeline").getContext("2d");
  g.putImageData(tlBase, 0, 0);
  const t = step >= 0 ? T.ev[step].t : T.t0;
  g.fillStyle = "#e00"; g.fillRect(tlLayout.x(t), 0, 2, tlLayout.H);
}
function stepAtTime(t) {
  let lo = 0, hi = T.ev.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (T.ev[mid].t < t) lo = mid + 1; else hi = mid; }
  return Math.min(lo, T.ev.length - 1);
}

/* ---- message (Lamport) diagram ---- */
function drawLamport() {
  const svg = document.getElementById("lamport");
  const win = +document.getElementById("lwin").value;
  const type = document.getElementById("ltype").value;
  const hideHb = document.getElementById("lhb").checked;
  const eps = [];
  for (let n = 1; n <= T.N; n++) eps.push(n);
  for (const c of T.clients) eps.push(c);
  const lo = Math.max(0, step - win / 2), hi = Math.min(T.ev.length - 1, lo + win);
  const W = Math.max(600, svg.parentElement.clientWidth - 4), rowH = win <= 100 ? 6 : win <= 300 ? 2.5 : 1;
  const H = 40 + (hi - lo + 1) * rowH;
  svg.setAttribute("width", W); svg.setAttribute("height", H); svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.textContent = "";
  const X = (ep) => 50 + eps.indexOf(ep) * (W - 80) / Math.max(1, eps.length - 1);
  const Y = (i) => 30 + (i - lo) * rowH;
  for (const ep of eps) {
    svg.append(sv("line", { x1: X(ep), y1: 24, x2: X(ep), y2: H, stroke: ep <= T.N ? "#999" : "#ccc" }));
    svg.append(sv("text", { x: X(ep), y: 16, "text-anchor": "middle", "font-size": 12 }, epName(ep)));
  }
  svg.append(sv("text", { x: 4, y: Y(lo) + 4, "font-size": 10, fill: "#555" }, fmtTime(T.ev[lo] ? T.ev[lo].t : 0)));
  svg.append(sv("text", { x: 4, y: Y(hi), "font-size": 10, fill: "#555" }, fmtTime(T.ev[hi] ? T.ev[hi].t : 0)));
  let arrows = 0;
  const colour = (t) => ({ AppendEntries: "#1f78b4", AppendEntriesResp: "#6ab0de", RequestVote: "#e31a1c", RequestVoteResp: "#fb9a99", PreVote: "#ff7f00", PreVoteResp: "#fdbf6f", ClientAppend: "#6a3d9a", ClientAppendResp: "#cab2d6" })[t] || "#555";
  for (let i = lo; i <= hi; i++) {
    const e = T.ev[i];
    if ((e.ev === "send" || e.ev === "duplicate") && e.id !== undefined) {
      const m = M.get(e.id);
      if (!m || (type && m.type !== type) || (hideHb && m.hb)) continue;
      const lost = m.fate.startsWith("lost");
      const yEnd = m.ei <= hi ? Y(m.ei) : H;
      const x0 = X(m.from), x1 = lost ? (X(m.from) + X(m.to)) / 2 : X(m.to);
      const y1 = lost ? (Y(i) + Math.min(yEnd, Y(i) + 20)) / 2 : yEnd;
      const ln = sv("line", { x1: x0, y1: Y(i), x2: x1, y2: y1, stroke: colour(m.type), "stroke-width": 1.2, "stroke-dasharray": m.ei > hi && !lost ? "3,2" : "", class: "arrow" });
      ln.append(sv("title", {}, `#${m.id} ${m.type} ${epName(m.from)}→${epName(m.to)} ${m.fate}`));
      svg.append(ln);
      if (lost) svg.append(sv("text", { x: x1 - 4, y: y1 + 4, fill: "#c00", "font-size": 11 }, "✕"));
      arrows++;
    } else if (e.ev === "role" && e.role !== "follower") {
      svg.append(sv("circle", { cx: X(e.node), cy: Y(i), r: 4, fill: termColor(e.term, e.role) }, ""));
      svg.append(sv("text", { x: X(e.node) + 6, y: Y(i) + 4, "font-size": 10 }, `${e.role} t${e.term}`));
    } else if (e.ev === "crash" || e.ev === "restart") {
      svg.append(sv("text", { x: X(e.node) + 6, y: Y(i) + 4, "font-size": 10, fill: "#b00" }, e.ev));
      svg.append(sv("rect", { x: X(e.node) - 5, y: Y(i) - 2, width: 10, height: 4, fill: "#b00" }));
    }
  }
  if (step >= lo && step <= hi) svg.append(sv("line", { x1: 0, y1: Y(step), x2: W, y2: Y(step), stroke: "#e00", "stroke-dasharray": "4,3" }));
  window.__drawn = Object.assign(window.__drawn || {}, { lamportArrows: arrows });
}

/* ---- plots ---- */
function drawPlots() {
  const cv = document.getElementById("plots");
  const W = Math.max(600, cv.parentElement.clientWidth - 4), H = 330;
  cv.width = W; cv.height = H;
  const g = cv.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
  g.font = "11px sans-serif";
  const left = 70, right = W - 10, B = 60;
  const bucket = Math.max(1e6, Math.ceil((T.t1 - T.t0) / B / 1e6) * 1e6);
  const nb = Math.ceil((T.t1 - T.t0) / bucket) + 1;
  const x = (t) => left + (t - T.t0) / (T.t1 - T.t0) * (right - left);
  const done = new Array(nb).fill(0), lats = Array.from({ length: nb }, () => []);
  for (const o of ops) if (o.t1 >= 0) { const b = Math.floor((o.t1 - T.t0) / bucket); done[b]++; lats[b].push(o.t1 - o.t0); }
  const panel = (y0, h, title, unit, series, ymax) => {
    g.strokeStyle = "#aaa"; g.strokeRect(left, y0, right - left, h);
    g.fillStyle = "#222"; g.fillText(title, left + 4, y0 + 12);
    g.fillStyle = "#555"; g.fillText(ymax.toFixed(ymax < 10 ? 1 : 0) + " " + unit, 4, y0 + 10); g.fillText("0", 4, y0 + h);
    for (const [pts, col] of series) {
      g.strokeStyle = col; g.beginPath();
      pts.forEach(([t, v], i) => { const px = x(t), py = y0 + h - (v / ymax) * (h - 16); if (i) g.lineTo(px, py); else g.moveTo(px, py); });
      g.stroke();
    }
  };
  const tput = done.map((c, b) => [T.t0 + b * bucket, c / (bucket / 1e9)]);
  panel(10, 90, `throughput: completed ops per second (${fmtDur(bucket)} buckets)`, "ops/s", [[tput, "#1f78b4"]], Math.max(1, ...tput.map((p) => p[1])));
  const pct = (a, q) => { if (!a.length) return null; a.sort((u, v) => u - v); return a[Math.min(a.length - 1, Math.floor(q * a.length))] / 1e6; };
  const p50 = [], p99 = [];
  lats.forEach((a, b) => { const t = T.t0 + b * bucket; const m = pct(a, 0.5), n = pct(a, 0.99); if (m !== null) { p50.push([t, m]); p99.push([t, n]); } });
  panel(115, 90, "latency of completed ops: p50 (blue), p99 (red)", "ms", [[p50, "#1f78b4"], [p99, "#e31a1c"]], Math.max(1, ...p99.map((p) => p[1])));
  const y0 = 220, h = 70;
  g.strokeStyle = "#aaa"; g.strokeRect(left, y0, right - left, h);
  g.fillStyle = "#222"; g.fillText(`leader changes: ${leaderAt.length} elections won (bar height = term)`, left + 4, y0 + 12);
  const maxTerm = Math.max(1, ...leaderAt.map((l) => l[2]));
  for (const [t, n, term] of leaderAt) {
    const bh = (term / maxTerm) * (h - 18);
    g.fillStyle = termColor(term, "leader"); g.fillRect(x(t) - 1, y0 + h - bh, 3, bh);
    g.fillText(epName(n), x(t) + 3, y0 + h - bh + 8);
  }
  g.fillStyle = "#555";
  for (let s = 0; s * 1e9 <= T.t1; s += Math.max(1, Math.round((T.t1 - T.t0) / 1e9 / 10))) if (s * 1e9 >= T.t0) g.fillText(s + " s", x(s * 1e9), y0 + h + 14);
}

/* ---- wiring ---- */
let loadMs = 0; // from navigation start to the page drawn
function init() {
  drawHeader();
  drawVerdict();
  const slider = document.getElementById("slider");
  slider.max = String(T.ev.length);
  slider.addEventListener("input", () => go(+slider.value - 1));
  document.getElementById("next").onclick = () => move(1, 1);
  document.getElementById("prev").onclick = () => move(-1, 1);
  document.getElementById("first").onclick = () => go(-1);
  document.getElementById("last").onclick = () => go(T.ev.length - 1);
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "SELECT") return;
    if (e.key === "ArrowRight" || e.key === "n") { move(1, e.shiftKey ? 100 : 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "p") { move(-1, e.shiftKey ? 100 : 1); e.preventDefault(); }
    else if (e.key === "Home") go(-1);
    else if (e.key === "End") go(T.ev.length - 1);
    else if (e.key === "v" && violationStep >= 0) go(violationStep);
  });
  const types = [...new Set(msgList.map((m) => m.type))].sort();
  const sel = document.getElementById("ltype");
  for (const t of types) sel.append(el("option", { value: t }, t));
  for (const id of ["lwin", "ltype", "lhb"]) document.getElementById(id).addEventListener("change", drawLamport);
  document.getElementById("timeline").addEventListener("click", (e) => {
    const r = e.target.getBoundingClientRect();
    const px = (e.clientX - r.left) * (tlLayout.W / r.width);
    const t = T.t0 + (px - tlLayout.left) / (tlLayout.W - tlLayout.left - 10) * (T.t1 - T.t0);
    go(stepAtTime(t));
  });
  drawTimeline();
  drawPlots();
  const want = /^#step=(\d+)/.exec(location.hash);
  go(want ? +want[1] : violationStep >= 0 ? violationStep : -1);
  loadMs = performance.now();
  if (location.hash.startsWith("#selftest")) selfTest();
}

/* ---- self-test (tests/view/test_viewer.py): drive the real controls and
 * report what is drawn, for the test to compare with the trace ---- */
function drawnState() {
  const rows = [...document.querySelectorAll("#logs .node-row[data-node]")];
  return {
    step,
    text: document.getElementById("evtext").textContent,
    nodes: rows.map((r) => {
      const last = +r.dataset.last;
      const box = r.querySelector(`.entry[data-index="${last}"]`);
      return { node: +r.dataset.node, role: r.dataset.role, term: +r.dataset.term, last, commit: +r.dataset.commit, applied: +r.dataset.applied,
        boxes: r.querySelectorAll(".entry:not(.empty)").length, lastBoxTerm: box ? box.textContent : null,
        committedBoxes: r.querySelectorAll(".entry.committed").length };
    }),
    flight: document.querySelectorAll("#flight circle.msg").length,
  };
}
function selfTest() {
  const t0 = performance.now();
  const params = new URLSearchParams(location.hash.slice(1).replace(/^selftest&?/, ""));
  const probes = (params.get("steps") || "").split(",").filter((s) => s).map(Number);
  const out = { errors: pageErrors, events: T.ev.length, nodes: T.N, violationStep, atLoad: drawnState(), drawn: window.__drawn, probes: [] };
  document.getElementById("skipnoise").checked = false;
  for (const k of probes) {
    const slider = document.getElementById("slider");
    slider.value = String(k + 1); // slider position k + 1 = after event k
    slider.dispatchEvent(new Event("input"));
    const here = drawnState();
    document.getElementById("next").click();
    const after = drawnState();
    document.getElementById("prev").click();
    const back = drawnState();
    out.probes.push({ k, here, after, back });
  }
  if (violationStep >= 0) {
    go(0);
    document.getElementById("jump-violation").click();
    out.jump = { step, violationLogs: document.querySelectorAll("#violation-logs .log").length,
      conflictBoxes: document.querySelectorAll("#violation-logs .entry.conflict").length, rule: document.querySelector("#violation").textContent };
    go(violationStep);
  } else if (probes.length) {
    go(probes[probes.length >> 1] + 1); // for the screenshot: a step mid-run
  }
  out.errors = pageErrors;
  out.loadMs = Math.round(loadMs);
  out.stepMs = Math.round(performance.now() - t0);
  const pre = document.getElementById("selftest-result");
  pre.textContent = JSON.stringify(out);
  document.title = "selftest-done";
}

try { init(); } catch (e) { pageErrors.push("init: " + e.stack); throw e; }
