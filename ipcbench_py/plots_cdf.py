"""plots_cdf - the distribution of every round trip, from samples.csv.gz:
one panel per message size, one line per mechanism, as the fraction of
samples at or above x on log axes (a complementary CDF), so the tail is
as readable as the median; p50, p99 and p99.9 are marked lines."""
from . import csvframe
from .plotkit import finish_with_suptitle, human_size, series_style, unit_label

MARKS = ((0.5, "p50"), (0.01, "p99"), (0.001, "p99.9"))
MAX_PANELS = 6


def config_sets(sets, config, placement=""):
    """{(mech, variant, pattern, size): values} of one configuration (boot
    configuration and placement), the samples of its repeated boots
    pooled; round trips only."""
    out = {}
    for (boot, mech, variant, pattern, size, where), (_, values) in sets.items():
        if boot.split("#", 1)[0] != config or where != placement \
                or mech.startswith("floor-") or pattern not in ("pingpong", "call"):
            continue
        out.setdefault((mech, variant, pattern, size), []).extend(values)
    return out


def _name(mech, variant, pattern):
    label = csvframe.label({"mech": mech, "variant": variant})
    return label + (" call" if pattern == "call" else "")


def _panel(ax, cases, size, unit):
    most = 1
    for (mech, variant, pattern, sz), values in sorted(cases.items()):
        if sz != size or not values:
            continue
        v = sorted(values)
        n = len(v)
        most = max(most, n)
        ax.step(v, [1 - i / n for i in range(n)], where="post", linewidth=1.2,
                linestyle="--" if pattern == "call" else "-",
                color=series_style(csvframe.label({"mech": mech, "variant": variant}))["color"],
                label=_name(mech, variant, pattern))
    for q, name in MARKS:
        ax.axhline(q, color="0.3", linewidth=0.8, linestyle=":")
        ax.text(1.0, q, f" {name}", transform=ax.get_yaxis_transform(), fontsize=7,
                va="center", ha="left", color="0.3")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(min(0.5 / most, 5e-4), 1.3)
    ax.set_xlabel(f"one round trip ({unit_label(unit)})")
    ax.set_title(f"{human_size(size)} B ({most} samples per line"
                 f"{'; p99.9 needs 1000+' if most < 1000 else ''})", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)


def cdf(plt, cases, unit, title, base):
    sizes = sorted({k[3] for k in cases})[:MAX_PANELS]
    if not sizes:
        return []
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.2 * len(sizes) + 2, 5), sharey=True,
                             squeeze=False)
    for ax, size in zip(axes[0], sizes):
        _panel(ax, cases, size, unit)
    axes[0][0].set_ylabel("fraction of samples at or above x")
    handles, names = axes[0][0].get_legend_handles_labels()
    for ax in axes[0][1:]:
        for h, n in zip(*ax.get_legend_handles_labels()):
            if n not in names:
                handles.append(h)
                names.append(n)
    fig.legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 0.95))
    return finish_with_suptitle(
        plt, fig, base, title,
        f"Distribution of round trips (every sample; tail on a log scale) - {title}")
