"""Write reports/out/index.html: every study's plots, CSVs, reading and command.

Usage: /usr/bin/python3 reports/make_page.py OUTDIR [--quick]

Each study contributes its figure (PNG, with the SVG linked), its CSV files,
what the figure shows, what a student should notice, a line of numbers read
from this run's CSVs, and the command that re-runs it alone. Studies not run
yet are listed with that command. The page has an inline script that marks
every <img> with data-loaded="yes|no" once the page has loaded; make
report-check reads those marks from headless Chromium."""
import csv
import html
import os
import statistics
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "reports/out"
QUICK = "--quick" in sys.argv[2:]


def rows(name):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ms(us):
    return "%.1f" % (int(us) / 1000.0)


# ---- per-study readings from the CSVs (None when the CSV is missing) ----

# The values the paper's text states for Figure 16 (§9.3): line -> (statistic, ms).
# 150-150 is a lower bound ("consistently longer than 10 seconds").
PAPER_FIG16 = {
    "150-150": [("median", 10000, "> 10 s")],
    "150-155": [("median", 287, "median 287 ms")],
    "150-200": [("worst", 513, "worst of 1,000: 513 ms")],
    "12-24": [("mean", 35, "mean 35 ms"), ("worst", 152, "longest 152 ms")],
}
STAT_COL = {"median": "median_us", "mean": "mean_us", "worst": "worst_us"}


def paper_cells(r):
    """Paper's stated value, ours, and the ratio ours/paper for one summary row."""
    stated = PAPER_FIG16.get(r["line"])
    if not stated:
        return "<td></td><td></td><td></td>"
    paper, ours, ratio = [], [], []
    for stat, value, text in stated:
        v = int(r[STAT_COL[stat]]) / 1000.0
        paper.append(html.escape(text))
        ours.append("%s %.0f ms" % (stat, v))
        ratio.append("%.3f%s" % (v / value, " (a lower bound: &ge; 1)" if r["line"] == "150-150"
                                 else ""))
    return "<td>%s</td><td>%s</td><td>%s</td>" % (
        "<br>".join(paper), "<br>".join(ours), "<br>".join(ratio))


def election_table():
    summary = rows("election_summary.csv")
    if not summary:
        return ""
    head = ("<table><tr><th>election timeout (ms)</th><th>trials</th><th>median (ms)</th>"
            "<th>mean (ms)</th><th>p99 (ms)</th><th>worst (ms)</th>"
            "<th>no leader within the cap</th><th>trials with 2 lagging logs</th>"
            "<th>trials redrawn</th><th>paper (text of &sect;9.3)</th><th>ours</th>"
            "<th>ours / paper</th></tr>")
    body = "".join(
        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
        "<td>%s</td><td>%s</td>%s</tr>" % (html.escape(r["line"]), r["trials"], ms(r["median_us"]),
                                           ms(r["mean_us"]), ms(r["p99_us"]), ms(r["worst_us"]),
                                           r["censored"], r["two_lagging"], r["redrawn"],
                                           paper_cells(r))
        for r in summary)
    return head + body + "</table>" + election_ablation_table()


def election_ablation_table():
    abl = rows("election_ablation.csv")
    if not abl:
        return ""
    cols = [(line, stat, value) for line, stated in PAPER_FIG16.items()
            for stat, value, _ in stated]
    head = "<table><tr><th>world (one knob turned back)</th>%s</tr>" % "".join(
        "<th>%s ms: %s<br>(paper %s)</th>" % (line, stat, ("&gt; 10 s" if line == "150-150"
                                                          else "%d ms" % value))
        for line, stat, value in cols)
    variants = []
    for r in abl:
        if r["variant"] not in variants:
            variants.append(r["variant"])
    cell = {(r["variant"], r["line"]): r for r in abl}
    body = ""
    for v in variants:
        tds = ""
        for line, stat, value in cols:
            r = cell.get((v, line))
            if not r or int(r["trials"]) == 0:
                tds += "<td>no stable leader</td>"
                continue
            x = int(r[STAT_COL[stat]]) / 1000.0
            txt = ("%.1f s" % (x / 1000.0)) if x >= 10000 else ("%.0f ms" % x)
            if r.get("unstable") == "1":
                tds += "<td>no stable leader (gave up after %s trials)</td>" % r["trials"]
                continue
            if int(r["censored"]):
                txt += " (%s of %s capped at 60 s)" % (r["censored"], r["trials"])
            tds += "<td>%s <small>&times;%.2f</small></td>" % (txt, x / value)
        body += "<tr><td>%s</td>%s</tr>" % (html.escape(v), tds)
    return ("<p><b>Ablation.</b> The lines the paper gives numbers for, in the paper world "
            "with one knob turned back at a time (&times; = ours / paper; a trial with no "
            "leader after 60 s counts as 60 s here):</p>" + head + body + "</table>")


def election_reading():
    s = {r["line"]: r for r in rows("election_summary.csv")}
    if not s:
        return None
    parts = ["%s ms: median %s ms, mean %s ms, worst %s ms" % (
        k, ms(s[k]["median_us"]), ms(s[k]["mean_us"]), ms(s[k]["worst_us"]))
        for k in ("150-150", "150-155", "150-200", "12-24") if k in s]
    return "; ".join(parts) + "."


def latency_table():
    summary = rows("latency_summary.csv")
    if not summary:
        return ""
    head = ("<table><tr><th>network</th><th>lower bound (ms)</th><th>writes</th>"
            "<th>p50 (ms)</th><th>p90 (ms)</th><th>p99 (ms)</th><th>max (ms)</th></tr>")
    body = "".join(
        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
        % (html.escape(r["setting"]), ms(r["lower_bound_us"]), r["ops"], ms(r["p50_us"]),
           ms(r["p90_us"]), ms(r["p99_us"]), ms(r["max_us"])) for r in summary)
    return head + body + "</table>"


def latency_reading():
    s = rows("latency_summary.csv")
    if not s:
        return None
    return "; ".join("%s: p50 %s ms (bound %s), p99 %s ms" % (
        r["setting"], ms(r["p50_us"]), ms(r["lower_bound_us"]), ms(r["p99_us"])) for r in s) + "."


def throughput_reading():
    r = rows("throughput.csv")
    if not r:
        return None
    out = []
    for b in ("off", "on"):
        for w in ("1", "4", "16"):
            pts = [x for x in r if x["batching"] == b and x["window"] == w]
            if not pts:
                continue
            best = max(int(x["acked_per_s"]) for x in pts)
            knee = [int(x["offered_per_s"]) for x in pts
                    if int(x["acked_per_s"]) < 0.9 * int(x["offered_per_s"])]
            out.append("batching %s, window %s: up to %d writes/s%s" % (
                b, w, best, ", saturates from %d offered" % knee[0] if knee else ", no knee"))
    return "; ".join(out) + "."


def availability_reading():
    r = rows("availability.csv")
    ev = rows("availability_events.csv")
    if not r:
        return None
    zero = sum(1 for x in r if int(x["acked"]) == 0 and int(x["t_ms"]) >= 1000)
    changes = sum(1 for x in ev if x["kind"] == "leader")
    return ("%d buckets of 100 ms after the first second committed nothing; %d times a "
            "leader was established; peak %s writes per 100 ms." % (
                zero, changes, max(int(x["acked"]) for x in r)))


def compaction_reading():
    r = rows("compaction.csv")
    if not r:
        return None
    return "; ".join("down %s s, snapshots %s: caught up in %s ms after sending %.1f MB" % (
        x["down_s"], x["snapshots"], ms(x["catchup_us"]), int(x["bytes_sent"]) / 1e6)
        for x in r) + "."


def prevote_reading():
    r = rows("prevote.csv")
    if not r:
        return None
    last = {}
    first = {}
    for x in r:
        if int(x["t_ms"]) >= 2000:  # from the moment the follower is cut off
            first.setdefault(x["config"], x)
        last[x["config"]] = x
    return "; ".join("%s: %d leader changes after the cut, highest term %s" % (
        c, int(last[c]["leader_changes"]) - int(first[c]["leader_changes"]),
        last[c]["max_term"]) for c in last) + "."


def spacetime_reading():
    r = rows("spacetime.csv")
    if not r:
        return None
    lost = sum(1 for x in r if x["outcome"].startswith("dropped"))
    return "%d messages drawn, %d of them lost or discarded." % (len(r), lost)


def heatmap_reading():
    r = rows("heatmap.csv")
    if not r:
        return None
    cells = {}
    for x in r:
        cells.setdefault((int(x["drop_pct"]), int(x["partition_every_ms"])), []).append(
            int(x["acked_per_s"]))
    best = max(cells.items(), key=lambda kv: statistics.mean(kv[1]))
    worst = min(cells.items(), key=lambda kv: statistics.mean(kv[1]))
    return ("best cell: %d%% drop, partitions %s: %.0f writes/s; worst: %d%% drop, "
            "partitions %s: %.0f writes/s." % (
                best[0][0], "never" if best[0][1] == 0 else "every %d ms" % best[0][1],
                statistics.mean(best[1]), worst[0][0],
                "never" if worst[0][1] == 0 else "every %d ms" % worst[0][1],
                statistics.mean(worst[1])))


def scale_reading():
    r = rows("scale_wall.csv")
    if not r:
        return None
    return "; ".join("%s nodes: %.2f M events/s, %s MB" % (
        x["nodes"], int(x["events_per_s"]) / 1e6, int(x["peak_rss_kb"]) // 1024)
        for x in r if x["sweep"] == "nodes") + "."


STUDIES = [
    dict(name="election", n=1, title="Time to detect and replace a crashed leader (Figure 16)",
         csvs=["election.csv", "election_summary.csv", "election_ablation.csv"], table=election_table,
         reading=election_reading,
         model="""Five servers, as in the paper's cluster (&sect;9.3: a 1 Gb Ethernet LAN,
SSDs). <b>Network:</b> one-way delay uniform in 50&ndash;250 &micro;s. <b>Disk:</b> every
write (a term and vote, appended entries) is durable after an fsync drawn from a normal
distribution, mean 3.5 ms, standard deviation 0.8 ms, from each disk's own random stream;
a candidate makes its vote durable before it sends RequestVote and a voter before it
answers (Figure 2; LogCabin does the same). <b>Clocks:</b> each server's clock runs fast
or slow by a rate drawn uniformly from &minus;50..+50 ppm (ordinary quartz), from its own
random stream: no two timers stay in lockstep forever. <b>Timers</b> follow the paper's
implementation, LogCabin: election timeouts are drawn in whole milliseconds
(<code>setElectionTimer</code>: <code>randomRange(ms, ...)</code> in ms;
<code>raft_config.election_timeout_step_ns</code> = 1 ms), and a candidate that steps down
keeps its election deadline, only a former leader re-arms (<code>stepDown</code>;
<code>raft_config.stepdown_timer</code> = LEADER). The heartbeat interval is half the
minimum election timeout; PreVote and CheckQuorum are off (the paper's algorithm). For
every trial: after a steady state is reached, a client write reaches the leader while its
links to two followers are cut for 1 ms, so the write commits on the leader and two
followers only; the next heartbeat reaches all four followers, so their election timers
are synchronised but two of the four survivors hold a shorter log and cannot win. The
leader then crashes at a uniformly random moment within that heartbeat interval (its own
random stream, seeded per trial). Downtime runs from the crash until some server has
become leader. 1,000 trials per line (100 for 150&ndash;150; QUICK: 50 and 10); a trial
with no leader after 1,200 s would count as 1,200 s (the cap; none reaches it). With
12&ndash;24 ms timeouts leadership sometimes changes on its own before the planned crash;
such trials measure nothing and are redrawn with the next seed (counted in the table).
<br><b>Where did the paper's 15 ms go?</b> The paper gives the cluster's broadcast time as
about 15 ms, and on that LAN a round trip is well under 1 ms, so almost all of it is disk.
But if 15 ms of disk lay on the election path (an fsync of ~14 ms for the candidate's vote
before RequestVote and again for the voter's), a candidate would need a head start of
~15 ms over the other survivors to win, which 5 ms of randomness almost never gives: we
measure a 150&ndash;155 median of 2.6 s, not 287 ms, and 12&ndash;24 ms timeouts cannot
keep a leader at all (ablation row &ldquo;fsync 14 ms&rdquo;). Sweeping the fsync mean
(0.5, 2, 2.5, 3, 3.5, 4, 7, 14 ms; commands in <code>/work/notes/fig16.md</code> and the
driver's <code>ELECTION_FSYNC</code> variable) only 2.5&ndash;3.5 ms per write matches both
the 150&ndash;155 median and the 12&ndash;24 mean at once. Our reading: the disk writes on
the election path (the small term-and-vote record) cost a few milliseconds, and the rest
of the 15 ms belonged to the log-replication round the paper called broadcast time
(entry writes, RPC and thread hand-offs), which an election does not wait for.""",
         shows="""Cumulative percent of trials (y) whose downtime was at most x
milliseconds (log scale). Top: the minimum timeout stays at 150 ms while the width of
the random range grows. Bottom: the range is always [T, 2T] for growing T. Each range
keeps its colour in both panels (150&ndash;300 is in both); curves that bunch together
differ in line style and marker too. A trial that reached the cap without a leader is
not drawn at the cap: its line stops short of 100% and the legend says how many trials
it misses. The table
puts each line next to the value the paper's text states, with the ratio; the ablation
below it turns back one knob of the world at a time.""",
         notice="""With no randomness (150&ndash;150) the survivors time out together and
split their votes round after round; only the clocks' drift slowly pulls one timer ahead
of the others, and a leader is elected once one candidate is a whole election round
(fsync, RequestVote, the voter's fsync) ahead: tens of seconds here, &ldquo;consistently
longer than 10 seconds&rdquo; in the paper. With perfect clocks (ablation) it never
elects. Each extra bit of randomness helps: 1 ms of it still costs seconds, 5 ms gives a
median near two election timeouts, and from 150&ndash;175 on the curves bunch near one
timeout plus one election round, the wider ranges mostly trimming the worst case.
Bottom: shorter timeouts cut downtime roughly in proportion until they approach the
broadcast time. <b>Which knob moves which line</b> (ablation): the latency and disk model
moves every line (the old 4&ndash;6 ms links made 150&ndash;155 four times too slow);
drift moves only 150&ndash;150 (from never to tens of seconds); whole-millisecond
timeouts move 150&ndash;155 (with only six possible timeouts, two survivors that differ
do so by at least 1 ms); the timer rule moves the narrow ranges: etcd's rule (every
step-down re-arms, also a voter refusing a stale candidate) lets each doomed candidate
with a short log push everybody's timer back, raftsim's default (a candidate that steps
down re-arms) costs a third more at 150&ndash;155 than LogCabin's. <b>Timer rule chosen:</b>
the paper's Figure 2 names only two resets for a follower (AppendEntries from the
current leader, granting a vote); LogCabin follows it (a stepping-down candidate keeps
its deadline) and this study uses it to reproduce the paper. raftsim's core keeps its own
rule as the default (every existing trace stays as it was, and it is safe either way:
timers affect liveness only); <code>raft_config.stepdown_timer</code> selects LogCabin's
or etcd's."""),
    dict(name="latency", n=2, title="Commit latency",
         csvs=["latency.csv", "latency_summary.csv"], table=latency_table,
         reading=latency_reading,
         model="""Five servers, fsync 1 ms, Raft defaults (election timeout 150&ndash;300
ms, heartbeat 50 ms). One client with one write in flight, co-located with the cluster
(its own links are instant and lossless), so each latency is the cluster's commit path:
leader append, AppendEntries to the followers, their fsync, the replies, commit. Each
write's latency is the time between two consecutive acknowledgements. 20 s of virtual
time per network (QUICK: 4 s).""",
         shows="""The tail of each network's latency distribution (a CCDF): y is the
percent of writes slower than x, both axes on a log scale, so the slowest 1% has as
much room as the middle. A curve crosses the dashed 1% line at its p99 (the dot, from
the table) and the 10% line at its p90. The triangle of the same colour on the top edge
is the network's lower bound: one leader&ndash;follower round trip at the minimum delay
plus one fsync (networks that share a bound have nested triangles).""",
         notice="""Without loss the curves are steep and sit just right of their bound:
Raft needs one round trip to a majority plus a disk write, nothing more. Loss barely
moves the median (4 followers, only 2 needed) but creates a tail: a write whose
AppendEntries was lost to too many followers waits for a retransmission on the next
heartbeat. A heavy-tailed delay (Pareto) is felt through the second-fastest follower,
not the slowest."""),
    dict(name="throughput", n=3, title="Throughput and latency against offered load",
         csvs=["throughput.csv"], reading=throughput_reading,
         model="""Three servers, fsync 1 ms (writes pending together share an fsync),
one-way delay drawn per message from 0.5&ndash;1.5 ms, and two networks: <i>FIFO</i>,
where the messages of one link arrive in the order they were sent (like TCP), and
<i>reorder</i>, where in addition 10% of messages are held back up to 2 ms, so later
ones overtake them. One open-loop client, co-located with the cluster, offers a fixed
rate of writes from 0.5 s (retrying after 1 s without an answer); committed throughput
is counted from 0.7 s to the end (2.7 s; QUICK: 1.2 s). Batching off = one entry per
AppendEntries, on = up to 64; the window is how many AppendEntries may be in flight to
one follower.""",
         shows="""Left: committed writes per second against offered writes per second
(log&ndash;log; the dashed diagonal is &ldquo;everything offered gets
committed&rdquo;). Right: median commit latency. Top: FIFO links; bottom: reordering.
Each configuration keeps its colour in all four panels; the three batched ones commit
everything offered and lie on one another and on the diagonal, so they differ in marker
(nested sizes) and line style.""",
         notice="""Without batching, a follower receives at most <i>window</i> entries per
round trip, so throughput flattens near window / (round trip + fsync) &asymp; window /
3 ms, the knee moving right with the window (a little less than proportionally for
large windows). Past the knee the leader's queue grows without bound and latency climbs
until clients time out and retry (the plateau near 1 s is the client's retry timeout).
With batching the same window carries 64 entries per message and the knee moves off the
chart. The bottom row is the surprise: when some messages are overtaken, pipelining
loses most of its gain. An AppendEntries that arrives before its predecessor is
rejected, and the leader falls back to one-at-a-time probing until the follower
catches up. Pipelining pays over an ordered transport &mdash; one reason real systems
run Raft over TCP."""),
    dict(name="availability", n=4, title="Availability through faults",
         csvs=["availability.csv", "availability_events.csv"], reading=availability_reading,
         model="""Five servers, one-way delay 1&ndash;3 ms, fsync 1 ms, Raft defaults
(150&ndash;300 ms, heartbeat 50 ms, PreVote and CheckQuorum on). Two closed-loop clients
with 8 writes in flight each, always on the majority side. At 3 s the leader crashes
(restarted at 4.5 s); at 6 s two followers are partitioned away (healed at 7.5 s); at
9 s the leader and one follower are partitioned away from the other three (healed at
10.5 s).""",
         shows="""Bars: writes committed in each 100 ms. Green steps (right axis, whole
node ids): which node is leader (0 = none). Red dashed lines: the faults.""",
         notice="""A leader crash costs one election timeout plus an election (here a
couple of hundred ms with nothing committed). A minority partition barely shows: the
leader still has a majority. A majority partition behaves like a crash seen from the
majority side: the old leader cannot commit anything, steps down through CheckQuorum,
and the majority elects a new one after an election timeout. Until the heal, every
commit needs all three reachable servers, so the slowest of them sets the pace and
throughput stays a little lower. Healing is free: the cut-off servers rejoin as
followers."""),
    dict(name="compaction", n=5, title="Log compaction: catching up a follower",
         csvs=["compaction.csv"], reading=compaction_reading,
         model="""Three servers, one-way delay 1&ndash;2 ms, fsync 1 ms, every link
limited to 10 MB/s. An open-loop client writes 1,000 records of 256 bytes per second; the
state machine keeps the newest 2,000 records. With snapshots a server snapshots every
1,000 applied entries and keeps 100 entries behind the snapshot. A follower crashes at
2 s and restarts T seconds later; catch-up is measured from its restart until it has
applied everything committed at that moment.""",
         shows="""Left: catch-up time against the time the follower was down. Right: the
bytes the cluster sent during the catch-up.""",
         notice="""Without snapshots the leader must resend every entry the follower
missed, so catch-up time and bytes grow linearly with the downtime. With snapshots the
follower gets one snapshot of the (bounded) state machine plus a short tail: the cost is
flat, whatever T is. For short outages the missing entries are cheaper than the whole
snapshot (about 0.9 MB here), so there is a crossover, a few seconds of downtime in this
setup: snapshots are a bound on the worst case, not a speed-up for every case."""),
    dict(name="prevote", n=6, title="PreVote and CheckQuorum on a partial partition",
         csvs=["prevote.csv"], reading=prevote_reading,
         model="""Five servers, one-way delay 1&ndash;3 ms, fsync 1 ms, timeouts
150&ndash;300 ms, heartbeat 50 ms, one client with 4 writes in flight. From 2 s to 8 s
one follower cannot exchange messages with the leader but still reaches the other three
followers. Four runs, one per combination of PreVote and CheckQuorum.""",
         shows="""Top: the highest term in the cluster. Middle: cumulative leader
changes. Bottom: the leader's id. The shaded band is the partial partition. Runs that
behave alike draw identical curves (here the two PreVote runs), so each run has its own
line style and markers: where a curve hides another, the other's markers still show.""",
         notice="""With both off, the cut-off follower times out, raises its term, and its
RequestVote makes the others abandon a perfectly healthy leader: terms jump and
leadership changes, until a leader the follower can reach is elected (after that it
hears heartbeats again). With CheckQuorum alone, the others ignore it while they hear
from their leader (vote suppression), so nothing is disrupted during the partition
&mdash; but the isolated follower raises its own term at every timeout, and when the
links come back its huge term forces the leader to step down: one needless election
after the heal. With PreVote (alone or with CheckQuorum) the follower first asks whether
it could win, is told no, and never raises its term: nothing happens at all."""),
    dict(name="spacetime", n=7, title="A space-time diagram",
         csvs=["spacetime.csv", "spacetime.jsonl", "spacetime.chrome.json"],
         reading=spacetime_reading,
         model="""Three servers and one client; one-way delay 3&ndash;5 ms, 5% of messages
lost, fsync 2 ms, timeouts 150&ndash;300 ms, heartbeat 50 ms. The client writes 20
records per second from 300 ms; the leader crashes at 600 ms and restarts at 850 ms. The
trace (JSON Lines, schema in sim/world/trace.h) is drawn as is; spacetime.chrome.json is the
same run for Perfetto / chrome://tracing (tools/trace2chrome.py).""",
         shows="""Top: the whole run, one lane per node; the band along each lane is the
node's role (grey follower, light orange precandidate, orange candidate, green leader,
white down), labelled with its term. A message takes 3&ndash;5 ms, which at this width
would be a vertical stroke, so the three panels below zoom into windows of a few tens of
milliseconds (A, B, C, marked on the top panel): the first election, the first client
write, and the election after the crash. There every message is an arrow from send to
delivery, coloured by type, a cross marks a lost one; each lane's role and term is
written where the window opens and at every change, each append is labelled with the
log indices and term it wrote (&ldquo;log 2 t1&rdquo;), each commit with the new commit
index.""",
         notice="""Find the first election (RequestVote fan-out, then replies), the
steady heartbeats, a client write travelling client &rarr; leader &rarr; followers
&rarr; leader &rarr; client, a lost message and the heartbeat that repairs it, and after
the crash the silence of one election timeout before a follower becomes candidate."""),
    dict(name="heatmap", n=8, title="Where it breaks",
         csvs=["heatmap.csv"], reading=heatmap_reading,
         model="""Five servers, one-way delay 1&ndash;3 ms, fsync 1 ms, Raft defaults. One
client with 8 writes in flight whose own links never fail. Every cell: a drop rate on
every link between servers, and a partition every P seconds cutting a random 1 or 2
servers off for half of P. Each cell is the mean of 3 seeds (QUICK: 1) over 6 s (QUICK:
2.5 s), counted from 1 s.""",
         shows="""Left: committed writes per second. Right: p99 commit latency.""",
         notice="""A closed-loop client's throughput is its writes in flight divided by
the latency, so read both panels together. A few percent of loss costs little: only two
of the four followers must answer, and the next AppendEntries repairs a gap. Heavier loss
hurts steadily: at 10&ndash;20% a write increasingly waits for retransmissions and for
client retries, and the p99 grows to tens or hundreds of milliseconds. Partitions of one
or two servers cost little when they miss the leader and an election when they hit it;
the more often they come, the more elections, and the worst cells combine both: heavy
loss makes the elections themselves slow."""),
    dict(name="scale", n=9, title="Simulator scale",
         csvs=["scale.csv", "scale_wall.csv"], reading=scale_reading,
         model="""One run per point, each in its own process (its peak resident memory is
its own). One-way delay 1&ndash;3 ms, fsync 1 ms, Raft defaults, one client writing 500
records per second. Sizes 3&ndash;51 nodes for 5 s of virtual time (QUICK: 1 s), and 5
nodes for 1&ndash;50 s (QUICK: 1&ndash;5 s). <b>scale_wall.csv holds wall-clock figures:
it differs from run to run and machine to machine, and is excluded from the
identical-CSV check</b>; scale.csv holds only virtual quantities (events, writes,
messages) and is identical on every run.""",
         shows="""Wall time, events per second and peak memory against cluster size, and
wall time against virtual duration. Every axis starts at zero, so growth reads as a
proportion.""",
         notice="""A leader's work grows with the number of followers (every heartbeat and
every entry goes to each), so events, wall time and memory grow about linearly with the
cluster size, while the simulator's speed in events per second stays within a small
factor. Wall time grows linearly with virtual duration: idle virtual time costs nothing,
because nodes ask for exact deadlines instead of being polled. (The very first point of
a run may include a cold start.)"""),
]

STYLE = """body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;
line-height:1.45;color:#222}h2{border-top:1px solid #ccc;padding-top:1em}
img{max-width:100%;border:1px solid #ddd}code{background:#f3f3f3;padding:0 .25em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:right}th{background:#f3f3f3}.files a{margin-right:1em}.missing{color:#a00}
.note{background:#fff8e0;padding:.5em 1em;border-left:4px solid #e0b000}"""

CHECK_SCRIPT = """<script>
// make report-check: after load, mark every image as loaded or not.
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    var good = imgs[i].complete && imgs[i].naturalWidth > 0;
    imgs[i].setAttribute('data-loaded', good ? 'yes' : 'no');
    if (good) ok++;
  }
  document.body.setAttribute('data-images', ok + '/' + imgs.length);
});
</script>"""


def study_section(st):
    name = st["name"]
    cmd = "make report STUDY=%s" % name
    out = ['<h2 id="%s">%d. %s</h2>' % (name, st["n"], st["title"])]
    if not os.path.exists(os.path.join(OUT, name + ".png")):
        out.append('<p class="missing">Not run yet. Run it with <code>%s</code>.</p>' % cmd)
        return "\n".join(out)
    out.append('<p><a href="%s.svg"><img src="%s.png" alt="%s"></a></p>' % (
        name, name, html.escape(st["title"])))
    files = " ".join('<a href="%s">%s</a>' % (f, f) for f in st["csvs"]
                     if os.path.exists(os.path.join(OUT, f)))
    out.append('<p class="files">Data: %s <a href="%s.svg">%s.svg</a></p>' % (files, name, name))
    if "table" in st:
        out.append(st["table"]())
    out.append("<p><b>Setup.</b> %s</p>" % st["model"])
    out.append("<p><b>What it shows.</b> %s</p>" % st["shows"])
    out.append("<p><b>What to notice.</b> %s</p>" % st["notice"])
    reading = st["reading"]()
    if reading:
        out.append("<p><b>In this run.</b> %s</p>" % html.escape(reading))
    out.append("<p>Re-run this study alone: <code>%s</code> (add <code>QUICK=1</code> for "
               "fewer trials).</p>" % cmd)
    return "\n".join(out)


def reality_section():
    """Issue 20's study: the same core on a real network, beside the simulator."""
    out = ['<h2 id="reality">10. Simulation against reality: raftd on loopback</h2>']
    r = rows("reality.csv")
    if not r:
        why = " (a QUICK report leaves it out: its figures are wall-clock)" if QUICK else ""
        out.append('<p class="missing">Not run yet%s. Run it with <code>make report '
                   'STUDY=reality</code> or <code>make bench-raftd</code>.</p>' % why)
        return "\n".join(out)
    head = ("<tr><th>workload</th><th>real appends/s</th><th>p50 ms</th><th>p90 ms</th>"
            "<th>p99 ms</th><th>simulated appends/s</th><th>p50 ms</th><th>p90 ms</th>"
            "<th>p99 ms</th><th>fsync p50 / p90 / mean &micro;s</th><th>one-way net &micro;s</th></tr>")
    body = "".join(
        "<tr><td style='text-align:left'>%s</td>%s<td>%s / %s / %s</td><td>%s</td></tr>" % (
            html.escape(x["workload"]),
            "".join("<td>%s</td>" % html.escape(x[k]) for k in (
                "real_per_s", "real_p50_ms", "real_p90_ms", "real_p99_ms",
                "sim_per_s", "sim_p50_ms", "sim_p90_ms", "sim_p99_ms")),
            x["fsync_p50_us"], x["fsync_p90_us"], x["fsync_mean_us"], x["net_us"])
        for x in r)
    out.append("<table>%s%s</table>" % (head, body))
    out.append('<p class="files">Data: <a href="reality.csv">reality.csv</a></p>')
    out.append("""<p><b>Setup.</b> Three <code>raftd</code> processes on 127.0.0.1 with their
data on this machine's disk (real <code>fdatasync</code>), driven by <code>raftctl bench</code>
with 64-byte records for a few seconds per row. For each row the simulator runs the same
workload with a network delay of half the measured round trip and an fsync time drawn from a
heavy tail fitted to the leader's measured fdatasync times (median and mean). Real latency is
per request (the 16-client row's requests carry 4 records), simulated latency per record.</p>
<p><b>What to notice.</b> The simulation models two costs, the network and the disk, and is
told what they were; it charges nothing for CPU, scheduling or the three real nodes sharing one
disk and two cores. Compare the medians, then the tails and the throughput: where they part is
what the model leaves out. These are wall-clock figures: they change from run to run and
machine to machine.</p>""")
    out.append("<p><b>In this run.</b> %s</p>" % html.escape("; ".join(
        "%s: median %s ms real, %s ms simulated (%.2f×), p99 %s ms real, %s ms simulated"
        % (x["workload"], x["real_p50_ms"], x["sim_p50_ms"],
           float(x["sim_p50_ms"]) / float(x["real_p50_ms"]) if float(x["real_p50_ms"]) else 0,
           x["real_p99_ms"], x["sim_p99_ms"]) for x in r) + "."))
    out.append("""<p>Re-run it alone: <code>make report STUDY=reality</code>.</p>""")
    return "\n".join(out)


def main():
    toc = "".join('<li><a href="#%s">%s</a></li>' % (s["name"], s["title"]) for s in STUDIES)
    toc += '<li><a href="#reality">Simulation against reality: raftd on loopback</a></li>'
    mode = ('<p class="note">This page was built with <code>QUICK=1</code>: fewer trials and '
            'shorter runs, so the curves are rougher than the full <code>make report</code>.'
            '</p>' if QUICK else "")
    page = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>raftsim: classroom studies</title>
<style>%s</style></head><body>
<h1>raftsim: classroom studies of Raft</h1>
<p>Every figure below comes from the deterministic simulator running the real Raft code,
driven by a small C program per study (<code>tools/study/</code>) with fixed seeds:
the same command always gives byte-identical CSV files (the one exception, the wall-clock
figures of study 9, is marked). Virtual time only: the numbers describe the simulated
cluster, not this computer. No simulated clock is perfect: in every study but 9 (which
times the simulator itself) each server's clock runs fast or slow by a rate drawn from
&minus;50..+50 ppm, from its own random stream, so no two timers stay in lockstep forever.
Each study can be re-run alone with
<code>make report STUDY=name</code>; <code>make report</code> runs them all.</p>
%s<ol>%s</ol>
%s
%s</body></html>
""" % (STYLE, mode, toc, "\n".join([study_section(s) for s in STUDIES] + [reality_section()]),
       CHECK_SCRIPT)
    with open(os.path.join(OUT, "index.html"), "w") as f:
        f.write(page)


main()
