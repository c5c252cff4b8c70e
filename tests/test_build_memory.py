"""A stage's rows are let go when the stage ends: what one stage read must not sit in every later
stage's peak (at 50,000 businesses the site stage reads about 1.3 million rows, the QR stage a
record per product and business), nor in the workers those stages fork."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
