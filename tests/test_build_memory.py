"""A stage's rows are let go when the stage ends: what one stage read must not sit in every later
stage's peak (at 50,000 businesses the site stage reads about 1.3 million rows, the QR stage a
record per product and business), nor in the workers those stages fork."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from site_builder.build import pipeline

# Run in a fresh interpreter: what holds rows alive (a library keeping an ImportError's
# traceback, say) happens on the first import, which this test process has long done.
CHILD = r"""
import gc, json, sys
from site_builder.build import pipeline
from site_builder.site.registry import Registry as SiteRows
from qr.records import Registry as CodeRows

alive = {}

def counted(name, run):
    def stage(ctx):
        run(ctx)
        gc.collect()
        alive[name] = {kind.__name__ + " of " + kind.__module__: sum(isinstance(o, kind) for o in gc.get_objects())
                       for kind in (SiteRows, CodeRows)}
    return stage

pipeline.STAGES[:] = [(name, counted(name, run)) for name, run in pipeline.STAGES]
pipeline.build(sys.argv[1], sys.argv[2])
print(json.dumps(alive))
"""


def test_no_stage_keeps_the_rows_it_read(small_registry, tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD, str(small_registry), str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    alive = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(alive) >= {"site", "qr", "soundness"}
    for stage, counts in alive.items():
        assert all(n == 0 for n in counts.values()), f"after the {stage} stage still alive: {counts}"


FRAGMENTED = r"""
import sys
from site_builder.build import heap

def resident():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS"))

# Pages and rows as a stage holds them (above pymalloc's 512 bytes: from the C heap), with a
# few kept between them, as a build keeps its results: the heap cannot shrink from its top,
# only a trim gives the free pages in between back.
rows = ["%07d" % n * 100 for n in range(400_000)]
kept = rows[::100]
del rows
before = resident()
given = heap.give_back()
print(given, before, resident())
"""


def test_the_memory_a_stage_freed_goes_back_to_the_system(tmp_path):
    """At 50,000 businesses validation's freed rows left the process at 670 MB going into the
    site stage, whose workers are forked from it; a trim gives the free pages back."""
    done = subprocess.run([sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    given, before, after = done.stdout.split()
    assert given == "True", "glibc (Debian's) has malloc_trim"
    assert int(before) - int(after) > 100, f"resident {before} MB before the trim, {after} MB after"


def test_a_build_gives_back_what_validation_each_stage_and_the_commit_freed(small_registry, tmp_path, monkeypatch):
    from site_builder.build import heap

    calls = []
    monkeypatch.setattr(heap, "give_back", lambda: calls.append(len(calls)) or True)
    monkeypatch.setattr(pipeline, "STAGES", [("database", pipeline._stage_database)])
    pipeline.build(small_registry, tmp_path / "out")
    assert len(calls) == 3, "once after validation, once after the one stage, once after the commit"


def test_a_rebuild_holds_the_previous_file_list_compactly(tmp_path):
    """A rebuild holds an entry per file of the previous output from its start to its commit
    (791,000 at 50,000 businesses): as tuples of five fields, plus the record's bytes kept
    beside them, they were 575 bytes a file, and the commit of a rebuild that changed nothing
    peaked 675 bytes a file above that, the record joined twice and read back whole."""
    import tracemalloc

    from site_builder.build.pipeline import staged_output

    n = 20_000
    out = tmp_path / "out"
    pages = [f"p/{i:05d}/index.html" for i in range(n)]
    with staged_output(out) as files:
        for page in pages:
            files.write_if_changed(files.stage_dir / page, f"page {page}")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with staged_output(out) as files:
            held = tracemalloc.get_traced_memory()[0] - before
            assert len(files.verified) == n, "every file of the previous build found intact"
            files.record_many(str(files.stage_dir / page) for page in pages)
            tracemalloc.reset_peak()
            committing = tracemalloc.get_traced_memory()[0]
        commit_peak = tracemalloc.get_traced_memory()[1] - committing
    finally:
        tracemalloc.stop()
    assert held / n < 350, f"{held / n:.0f} bytes held per file of the previous output"
    assert commit_peak / n < 450, f"the commit peaked {commit_peak / n:.0f} bytes per file above the build"
