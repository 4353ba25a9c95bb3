"""plotkit - the drawing helpers every figure module shares (plots,
plots_cdf, sideplots): matplotlib on Agg, the size axis, the colour and
marker of each mechanism/variant, saving with the caption.  plots.py
calls the CDF and side-by-side drawers, so the helpers live here, below
all three, and no module imports the one that imports it.
"""
import os

FIG_DPI = 110
MARKERS = "osD^v<>phX*Pd"


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def human_size(n):
    for unit, shift in (("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return str(n)


def xpos(size):
    """Size 0 has no place on a log axis: it is drawn at 1 and labelled 0."""
    return size if size > 0 else 1


def unit_label(unit):
    return {"cycles": "TSC cycles", "instructions": "guest instructions, icount",
            "ns": "ns"}.get(unit, unit)


def _size_axis(ax, sizes):
    ax.set_xscale("log", base=2)
    sizes = sorted(set(sizes))
    ax.set_xticks([xpos(s) for s in sizes])
    ax.set_xticklabels([human_size(s) for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("message size (bytes)")


# Mechanism families: one colour map each, a shade per mechanism/variant,
# so related mechanisms read as a group and no two series look alike.
FAMILIES = (
    ("shared memory", "Blues", ("shm-poll", "shm-notify", "shm-ring")),
    ("byte streams", "Oranges", ("pipe", "unix-socket")),
    ("message queues", "Greens", ("sysv-msgq", "mailbox", "msg-direct")),
    ("notification", "Purples", ("signal", "sem")),
    ("RPC", "Reds", ("lrpc", "chcore")),
)
OTHER_FAMILY = ("other", "Greys", ())


def family_of(mech):
    for fam in FAMILIES:
        if mech in fam[2]:
            return fam
    return OTHER_FAMILY


def _known_labels():
    """Every mech/variant this tree registers, in registry order."""
    from . import registry
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return [m.name if not v else f"{m.name}/{v}"
            for m in registry.mechanisms(repo) for v in m.variants]


_STYLES = {}


def series_style(name):
    """Colour and marker of one mechanism/variant, the same in every figure
    and every run: the family's colour map, a shade per member, a marker
    per member (so shades that print alike still differ)."""
    if name in _STYLES:
        return _STYLES[name]
    labels = _known_labels()
    if name not in labels:
        labels.append(name)
    fam = family_of(name.split("/", 1)[0])
    members = [l for l in labels if family_of(l.split("/", 1)[0]) is fam]
    i = members.index(name)
    import matplotlib
    cmap = matplotlib.colormaps[fam[1]]
    shade = 0.45 + 0.5 * (i / max(1, len(members) - 1)) if len(members) > 1 else 0.75
    style = {"marker": MARKERS[i % len(MARKERS)], "color": cmap(shade)}
    _STYLES[name] = style
    return style


def _save(fig, base, labels=None):
    caption = getattr(labels, "caption", "")
    if caption:
        fig.text(0.01, 0.0, caption, fontsize=7, ha="left", va="top", color="0.25",
                 wrap=True)
    files = []
    for ext in ("png", "svg"):
        path = f"{base}.{ext}"
        fig.savefig(path, dpi=FIG_DPI, bbox_inches="tight")
        files.append(path)
    return files


def finish_with_suptitle(plt, fig, base, labels, text):
    """A multi-panel figure's title, layout, files; the figure is closed."""
    fig.suptitle(text, fontsize=10)
    fig.tight_layout()
    files = _save(fig, base, labels)
    plt.close(fig)
    return files
