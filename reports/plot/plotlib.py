"""Helpers shared by the matplotlib plot scripts (run with /usr/bin/python3)."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Reproducible SVGs: no random ids, no dates.
matplotlib.rcParams["svg.hashsalt"] = "raftsim"
matplotlib.rcParams["font.size"] = 10


def outdir():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTDIR" % sys.argv[0])
    return sys.argv[1]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, out, name):
    """Write OUT/name.png and OUT/name.svg."""
    fig.savefig(os.path.join(out, name + ".png"), dpi=110, metadata={"Software": None})
    fig.savefig(os.path.join(out, name + ".svg"), metadata={"Date": None})
    plt.close(fig)


def cdf_points(values):
    """Sorted values and the cumulative percent at each, for a step CDF."""
    xs = sorted(values)
    n = len(xs)
    return xs, [100.0 * (i + 1) / n for i in range(n)]
