# Study 9: simulator scale (wall-clock figures from scale_wall.csv).
# Usage: gnuplot -e "out='reports/out'" reports/plot/scale.gp
set datafile separator ","
csv = out."/scale_wall.csv"
sel(s, col) = strcol(1) eq s ? column(col) : NaN
set key off
set grid

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1100,800 font ",10" } \
    else { set terminal svg size 1100,800 font ",10" }
    set output out."/scale.".fmt
    set multiplot layout 2,2 title "simulator cost (wall clock; differs between machines and runs)"
    set xlabel "cluster size (nodes)"
    set ylabel "wall time (ms)"
    plot csv using 2:(sel("nodes", 5)) with linespoints lw 2
    set ylabel "events per second (millions)"
    plot csv using 2:(sel("nodes", 6)/1e6) with linespoints lw 2
    set ylabel "peak memory (MB)"
    plot csv using 2:(sel("nodes", 7)/1024.0) with linespoints lw 2
    set xlabel "virtual duration (s), 5 nodes"
    set ylabel "wall time (ms)"
    plot csv using 3:(sel("duration", 5)) with linespoints lw 2
    unset multiplot
    set output
}
