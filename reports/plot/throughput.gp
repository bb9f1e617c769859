# Study 3: committed throughput and median latency against offered load, on a
# FIFO network (top) and one that reorders 10% of messages (bottom).
# Usage: gnuplot -e "out='reports/out'" reports/plot/throughput.gp
set datafile separator ","
csv = out."/throughput.csv"
sel(n, b, w, col) = (strcol(1) eq n && strcol(2) eq b && column(3) == w) ? column(col) : NaN
set key top left font ",8"
set grid
set logscale xy
set xlabel "offered load (writes/s)"

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1100,860 font ",10" } \
    else { set terminal svg size 1100,860 font ",10" }
    set output out."/throughput.".fmt
    set multiplot layout 2,2 title "3 nodes, fsync 1 ms, one open-loop writer"
    do for [n in "fifo reorder"] {
        set title (n eq "fifo" ? "FIFO links: one-way delay 0.5-1.5 ms" \
                               : "10% of messages held back up to 2 ms: they get overtaken")
        set ylabel "committed writes/s"
        plot for [b in "off on"] for [w in "1 4 16"] \
             csv using 4:(sel(n, b, w+0, 5)) with linespoints title "batching ".b.", window ".w, \
             x with lines dashtype 2 lc rgb "grey" title "offered = committed"
        set ylabel "median commit latency (ms)"
        plot for [b in "off on"] for [w in "1 4 16"] \
             csv using 4:(sel(n, b, w+0, 6)/1000.0) with linespoints \
             title "batching ".b.", window ".w
    }
    unset multiplot
    set output
}
